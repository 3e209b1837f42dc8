"""The options of ``auditor audit`` that take more than a line to declare (typer's
``Annotated`` forms), kept out of the command's module so it stays thin."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from auditor.commands import MAX_SEED
from auditor.commands.params import config_path, predictions_path

PredictionsOption = Annotated[Path, typer.Option(
    "--predictions", "-p",
    help="CSV or Parquet file, or a folder of their parts (as Spark, Hive and Dask write them).",
    parser=predictions_path, metavar="<path>",
)]  # fmt: skip
MitigationFlag = Annotated[bool | None, typer.Option(
    "--mitigation-preview/--no-mitigation-preview", show_default=False,
    help="fairlearn's ThresholdOptimizer preview (default: off, or the config's).",
)]  # fmt: skip

DaskOption = Annotated[str | None, typer.Option(
    "--dask-scheduler",
    help="Reduce per Dask partition with this scheduler: threads, processes, synchronous or a "
    "distributed address (tcp://host:8786).",
)]  # fmt: skip
MissingFlag = Annotated[bool | None, typer.Option(
    "--missing-group/--no-missing-group", show_default=False,
    help="Audit rows with no sensitive value as the group '(missing)' (default: refused, or "
    "the config's data.missing_group).",
)]  # fmt: skip

SensitiveOption = Annotated[list[str], typer.Option(
    "--sensitive", metavar="<column>", help="Sensitive column (repeat for each).",
)]  # fmt: skip
ConfigOption = Annotated[Path | None, typer.Option(
    "--config",
    help="An audit TOML file; its [fairness] and [gates] tables and data.missing_group apply.",
    parser=config_path, metavar="<path>",  # "" refused, not read as the working folder
)]  # fmt: skip
MinGroupOption = Annotated[int | None, typer.Option(
    "--min-group-size", min=1,
    help="Rows a group needs for a verdict (default: 30, or the config's); smaller groups are "
    "'insufficient data'.",
)]  # fmt: skip
SeedOption = Annotated[int, typer.Option(
    "--seed", min=0, max=MAX_SEED,
    help="Seed of the mitigation preview's random split (recorded in audit.json).",
)]  # fmt: skip
# Checked with the config (one line naming the flag): the metavar shows the choices in --help.
IntersectionsOption = Annotated[str | None, typer.Option(
    "--intersections", metavar="<pairs|none>", help="pairs (default) or none.",
)]  # fmt: skip
IntervalOption = Annotated[str | None, typer.Option(
    "--interval", metavar="<wilson|jeffreys|clopper-pearson>",
    help="wilson (default), jeffreys, clopper-pearson.",
)]  # fmt: skip
