"""``auditor init``: write a commented example audit config."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from auditor.commands import cli_errors

EXAMPLE = """\
# auditor audit configuration. Run it with:  auditor run auditor.toml
# Every key is optional; an unknown key is an error (exit 2) that names it.

name = "my-audit"          # run folder: reports/<name>/
seed = 0                   # data splits and training
device = "cpu"             # "cpu", "cuda" or "auto"

[data]
source = "digits"          # "digits", "adult", "mnist" or "table"
target = "odd"             # digits: fine-tune target, "odd" or "ge5"
# For your own table:
# source = "table"
# path = "data/applicants.csv"      # CSV or Parquet, relative to this file
# target = "approved"
# sensitive = ["sex", "race"]
# positive_label = "yes"

[data.splits]              # disjoint fractions of the rows
pretrain = 0.35
finetune_train = 0.15
holdout = 0.15             # never trained on: the privacy probes' non-members
val = 0.10
test = 0.25

[model]
kind = "auto"              # "auto", "cnn", "mlp" or "factory"
# factory = "mypkg.models:build"  # fn(input_shape=, n_classes=) -> module with .backbone, .head

[pretrain]
objective = "supervised"   # "supervised", "masked_reconstruction" (labels unused) or "none"
epochs = 30
batch_size = 128
lr = 0.002
patience = 5

[finetune]
epochs = 60
batch_size = 64
lr = 0.003
patience = 8
unfreeze_last = 0          # 0 freezes the whole backbone; N trains its last N layers too

[fairness]
min_group_size = 30        # smaller groups are "insufficient data", never a pass
n_boot = 1000
ci_level = 0.95

[privacy]
n_reference = 16

[transparency.declared]    # empty or placeholder answers count as missing
intended_use = ""
out_of_scope_uses = ""
limitations = ""
owners = ""
license = ""
"""


def init(
    path: Annotated[Path, typer.Argument(help="Where to write the example.")] = Path(
        "auditor.toml"
    ),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented example audit config."""
    from auditor.errors import AuditorInputError
    from auditor.io import atomic_write_text

    with cli_errors():
        if path.exists() and not force:
            raise AuditorInputError("already exists (use --force to overwrite)", source=str(path))
        atomic_write_text(path, EXAMPLE)
    typer.echo(f"Wrote {path}. Run it with: auditor run {path}")


def register(app: typer.Typer) -> None:
    app.command("init")(init)
