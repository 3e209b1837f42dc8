"""``auditor init``: write a commented example audit config."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from auditor.commands import cli_errors
from auditor.errors import AuditorInputError
from auditor.io import atomic_write_text

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
# features = ["income", "debt", "zip3"]  # the model inputs (default: every other column)
# drop = ["applicant_id"]           # never inputs; a column unique per row is refused
#                                   # as an input unless features names it
# sensitive_as_features = false     # sensitive columns are audited, not inputs, by default
# missing_group = false             # true: a missing sensitive value is its own group
# max_categories = 100              # categorical inputs with more levels are refused
# With a model trained elsewhere ([model] kind = "checkpoint" or "sklearn"), path holds
# the evaluation rows and the privacy probes read:
# members = "data/train.csv"        # the rows the model was trained on
# non_members = "data/holdout.csv"  # same distribution, never trained on

[data.splits]              # disjoint fractions of the rows
pretrain = 0.35
finetune_train = 0.15
holdout = 0.15             # never trained on: the privacy probes' non-members
val = 0.10
test = 0.25

[model]
kind = "auto"              # "auto", "cnn", "mlp" or "factory" (trained here); a model
#                            trained elsewhere: "checkpoint" or "sklearn" (never retrained)
# factory = "mypkg.models:build"  # build(input_shape=(F,), n_classes=K) -> nn.Module; trained
#                                 # here it has .backbone and .head; this file's folder imports
# kind = "checkpoint"        # path: torch.save(model.state_dict(), ...), loaded weights_only
# kind = "sklearn"           # path: skops.io.dump(estimator, ...); scikit-learn types only
# path = "model.pt"          # the model file, relative to this file
# train = "mypkg.train:fit"  # fit(x, y, *, seed) -> model: reference models for RMIA / LiRA
#                            # (sklearn default: sklearn.base.clone(estimator).fit)

[training]
recipe = "pretrain-finetune"  # or "plain": train the whole model once on the training split
#                             # ([finetune] settings; the pretrain rows join the training split)

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
# sensitive = ["sex", "race"]   # default: every sensitive column of the data source
intersections = "pairs"    # "pairs", "none", or a list such as [["sex", "race"]]
min_group_size = 30        # smaller groups are "insufficient data", never a pass
interval = "wilson"        # per-group rate intervals: "wilson", "jeffreys", "clopper-pearson"
ci_level = 0.95

[privacy]
probes = ["loss", "lira", "rmia", "groups", "canaries", "stages"]
n_reference = 16           # reference models for LiRA / RMIA (even)
n_canaries = 100           # mislabelled canaries, each inserted with probability 1/2
n_jobs = 1                 # reference models in parallel (joblib)
# dask_scheduler = "tcp://127.0.0.1:8786"   # run the reference models on a Dask cluster
# [privacy.dp]             # fine-tune with DP-SGD (Opacus)
# target_epsilon = 8.0
# target_delta = 1e-5

[transparency.declared]    # empty or placeholder answers count as missing
intended_use = ""
out_of_scope_uses = ""
users = ""
limitations = ""
ethical_considerations = ""
owners = ""
contact = ""
license = ""

[gates]                    # exit 1 when a gate fails; see docs/ci.md
use_defaults = true        # built-in gates: accuracy, calibration, fairness, privacy, checklist
fail_on = "failure"        # "warning": warnings fail too
min_count = 30             # below this count a gated group is "insufficient data"
# baseline = "reports/main/audit.json"   # each gated metric must not get worse than this

[[gates.rules]]            # one table per rule; metric is a path into audit.json
name = "gap in false negatives"   # each audited feature; one: fairness.features.sex...
metric = "fairness.features[kind=feature].disparities.fnr_difference.between_groups"
max = 0.10
mode = "confident-fail"    # "point", "confident-fail" or "confident-pass"
insufficient = "warn"      # a group below min_count: "warn" or "fail"
"""


def init(
    path: Annotated[Path, typer.Argument(help="Where to write the example.")] = Path(
        "auditor.toml"
    ),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented example audit config."""
    with cli_errors():
        if path.exists() and not force:
            raise AuditorInputError("already exists (use --force to overwrite)", source=str(path))
        atomic_write_text(path, EXAMPLE)
    typer.echo(f"Wrote {path}. Run it with: auditor run {path}")


def register(app: typer.Typer) -> None:
    app.command("init")(init)
