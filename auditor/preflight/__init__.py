"""Everything an audit can check before any work, so bad input is exit 2 in about a second.

The run path (:func:`check_run`): the gate rules (syntax, and every fairness feature a rule
names against the features the configured data and fairness tables produce), the data
(:func:`auditor.data.validate_data`: a table's columns, inputs, groups and target), the number
of groups of each sensitive feature and intersection, the size of every split, ``--out``, and
the model factory (importable with the config file's folder on ``sys.path``, keyword
arguments ``input_shape`` and ``n_classes``). The predictions path (:func:`check_predictions`):
the rules against the ``--sensitive`` columns, and ``--out``. The seed's range and the run
name are the config's own validation.

No torch here (a factory's own module may import it, last); pandas only for a table's counts.
"""

from __future__ import annotations

import json
import math
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor.audit_tree import parse_path, spellings
from auditor.config import SUPPLIED_KINDS, AuditConfig, GatesConfig, TableData
from auditor.config.functions import FACTORY_ARGS, import_function
from auditor.config.paths import model_file, out_as_written
from auditor.config.privacy import PrivacyConfig, check_delta, dp_rows
from auditor.config.recipe_splits import plain_splits
from auditor.errors import AuditorInputError, check_resolvable
from auditor.gates import validate_rules
from auditor.io import CHECKPOINTS, as_path, check_lock, refuse_foreign_files
from auditor.preflight.run_place import refuse_in_run
from auditor.preflight.shapes import (  # noqa: F401 - the rule shapes are this module's API too
    OPEN,
    Shape,
    _walk_shape,
    check_rule_shapes,
    fairness_shape,
)
from auditor.preflight.sizes import (  # noqa: F401 - this module's API too
    MIN_CLASS_TEST_ROWS,
    MIN_SPLIT_ROWS,
    SOURCE_ROWS,
    builtin_strata,
    check_class_sizes,
    check_split_sizes,
    classes_problem,
    splits_problem,
    table_problem,
)
from auditor.record import audit_schema

if TYPE_CHECKING:
    import pandas as pd

# The sensitive features each built-in source declares (a table: its data.sensitive).
SOURCE_FEATURES = {
    "digits": ("digit", "ink_density"),
    "mnist": ("digit", "ink_density"),
    "adult": ("sex", "race", "age_band"),
}
OUT_IS_A_FILE = "is a file, not a folder (--out names the run folder)"
OUT_NOT_A_RUN = (
    "holds files but no audit.json: not a run folder, and a run folder is replaced whole "
    "(choose an empty or new folder)"
)
OUT_OTHER_KIND = (
    "holds {what}, and a {mode} audit would replace the folder whole, deleting it (choose "
    "another folder)"
)
RUN_HEAD_BYTES = 2**20  # where an audit.json's run section is read from
OUT_FILE_IS_A_FOLDER = "is a folder; name the file to write"
PARENT_IS_A_FILE = "is a file, so nothing can be written below it"
OUT_NOT_WRITABLE = "cannot write here (permission denied)"
MAX_GROUPS = 1000
UNKNOWN_FEATURE = "unknown sensitive feature {feature!r} (this data has: {have})"
RULE_FEATURE = (
    "{rule}reads fairness feature {feature!r}, which this audit does not produce (it has: {have})"
)
TOO_MANY_GROUPS = (
    "{feature!r} has {n:,} groups, more than {limit:,} (an identifier column?); audit fewer "
    "or coarser sensitive columns"
)


def out_path(out_dir: Any, *, field: str = "--out") -> Path:
    """The output ``out_dir`` as given, as a Path: one line naming ``field`` where it is no
    path (an int from Python: :func:`as_path`) or is typed as a URL (``"s3://b/run"``, whose
    Path is the local folder ``s3:/b/run``, or ``"s3:/b/run"``: :func:`out_as_written`, the
    reads' rule; a Path is local). The one check of an output's text from Python; a caller
    that judges the Path before :func:`check_out_dir` starts here, with the value as given."""
    out = as_path(out_dir, field=field)
    out_as_written(out_dir, field=field)
    return out


def check_out_dir(out_dir: str | Path, *, mode: str | None = None, placed: bool = False) -> Path:
    """Refuse an ``--out`` that is a file, a folder of other files (it would be replaced
    whole), a run folder of another kind than ``mode`` (``"run"``, ``"supplied"``,
    ``"predictions"``: audit.json's run.mode; a trained run's checkpoints are of kind "run"),
    a folder inside a run folder (a run folder is one run) or giving a folder holding
    audit.json a model card's name (it would pass for a run), or cannot be written, before
    any work. ``placed``: the caller has judged where ``out`` lies already
    (:func:`auditor.api._result.refuse_rewrite`, ``AuditResult.write``), by the same rule.

    Returns the path. Raises :class:`AuditorInputError` naming ``--out``."""
    out = out_path(out_dir)  # out_dir=5 or "s3://b/run" from Python: one line, nothing written
    if not placed:
        check_resolvable(out, field="--out")
        refuse_in_run(out)
    if out.exists() and not out.is_dir():
        raise AuditorInputError(OUT_IS_A_FILE, source=str(out), field="--out")
    if out.is_dir() and any(out.iterdir()) and not (out / "audit.json").is_file():
        raise AuditorInputError(OUT_NOT_A_RUN, source=str(out), field="--out")
    if out.is_dir():
        refuse_foreign_files(out, field="--out")  # a rerun would delete them
        if mode is not None:
            _refuse_other_kind(out, mode)
    parent = _nearest_existing(out.parent)
    if not parent.is_dir():
        raise AuditorInputError(OUT_IS_A_FILE, source=str(parent), field="--out")
    # The folder is swapped in by renames in its parent; the parent must be writable.
    if not os.access(parent, os.W_OK | os.X_OK):
        raise AuditorInputError(OUT_NOT_WRITABLE, source=str(parent), field="--out")
    check_lock(out)  # a folder or link in the lock's place: found now, not after the work
    return out


def _refuse_other_kind(out: Path, mode: str) -> None:
    """One line if the run folder ``out`` holds checkpoints, or an audit.json whose
    ``run.mode`` is not ``mode``: another kind of audit's evidence, not this one's rerun."""
    if mode != "run" and (out / CHECKPOINTS).exists():  # only a trained run writes them
        what = f"a trained model's {CHECKPOINTS}/"
    else:
        found = _run_mode(out / "audit.json")
        if found is None or found == mode:  # None: not readable, replaced as before
            return
        what = f"the audit.json of a {found!r} audit (run.mode)"
    raise AuditorInputError(OUT_OTHER_KIND.format(what=what, mode=mode), source=str(out),
                            field="--out")  # fmt: skip


def _run_mode(path: Path) -> str | None:
    """``run.mode`` of the audit.json ``path`` ("run" where left out, as a trained run's
    is): None when its run section cannot be read (see :func:`run_head`)."""
    run = run_head(path)
    found = run.get("mode", "run") if run is not None else None
    return found if isinstance(found, str) else None


def run_head(path: Path) -> dict[str, Any] | None:
    """The ``run`` section of the audit.json ``path``, read from its first MiB alone (``run``
    is written near the top; the file may be large): None when that cannot be read."""
    try:
        with path.open("rb") as f:
            text = f.read(RUN_HEAD_BYTES).decode("utf-8", errors="replace")
        at = text.index('"run"')
        start = text.index("{", at)
        if text[at + 5 : start].strip() != ":":
            return None
        run, _ = json.JSONDecoder().raw_decode(text, start)
    except (OSError, ValueError, RecursionError):
        return None
    return run if isinstance(run, dict) else None


def check_out_file(path: str | Path, *, field: str) -> Path:
    """Refuse a single output file (``diff --out``, ``init PATH``) that is a folder, lies
    below a file, or cannot be written, before any work. Returns the path (:func:`as_path`:
    ``~/d.md`` is the home folder's, as the parser gives it already)."""
    out = as_path(path, field=field)
    if out.is_dir():
        raise AuditorInputError(OUT_FILE_IS_A_FOLDER, source=str(out), field=field)
    parent = _nearest_existing(out.parent)
    if not parent.is_dir():
        raise AuditorInputError(PARENT_IS_A_FILE, source=str(parent), field=field)
    if not os.access(parent, os.W_OK | os.X_OK):
        raise AuditorInputError(OUT_NOT_WRITABLE, source=str(parent), field=field)
    return out


def _nearest_existing(path: Path) -> Path:
    path = path.absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def check_run(config: AuditConfig, *, config_file: str | None, out: Path) -> None:
    """Every check of a training run that needs no torch, cheapest first. Raises
    :class:`AuditorInputError` (exit 2, one line naming the file and the field)."""
    validate_rules(config.gates, source=config_file, schema=audit_schema)
    available = SOURCE_FEATURES.get(config.data.source, ())
    features = audited_features(config, available, source=config_file)
    check_rule_features(config.gates, features, source=config_file)
    supplied = config.model.kind in SUPPLIED_KINDS  # evaluation rows as given, no splits
    check_out_dir(out, mode="supplied" if supplied else "run")
    if supplied and config.model.path is not None:
        model_file(config.model.path)
    known, classes = _checked_data(config, supplied=supplied, source=config_file)
    if known:  # an estimator's classes are its own: known once it is loaded
        check_rule_shapes(config.gates, features, classes, source=config_file)
    if config.model.kind in ("factory", "checkpoint") and config.model.factory:
        base = Path(config_file).parent if config_file else Path.cwd()
        load_factory(config.model.factory, base=base, source=config_file)


def _checked_data(
    config: AuditConfig, *, supplied: bool, source: str | None
) -> tuple[bool, tuple[str, ...] | None]:
    """Check the data (its columns, inputs, groups and target; a table's group counts and
    split sizes; a built-in's split sizes) and settle its classes once: whether they are
    known before the model loads, and the target's class names (None: a built-in's binary
    target, or an estimator's own classes). A supplied model's data is a table (the config's
    own rule, ``AuditConfig._supplied_on_a_table``)."""
    data = config.data
    if supplied:  # its evaluation rows as given, not split
        from auditor.data.supplied import validate_supplied  # pandas

        rows = validate_supplied(data, module=config.model.kind == "checkpoint",
                                 classes=config.model.classes, classes_source=source)  # fmt: skip
        check_group_counts(rows.groups, config.fairness.intersections, src=str(data.path))
        return rows.classes is not None, rows.classes
    from auditor.data import validate_data  # numpy; a table's checks load pandas

    validate_data(data)
    if isinstance(data, TableData):
        return True, check_table_counts(data, config.fairness.intersections,
                                        fractions=used_splits(config), privacy=config.privacy,
                                        config_file=source)  # fmt: skip
    check_builtin_splits(config, source=source)
    return True, None


def check_dp_rows(
    privacy: PrivacyConfig, fractions: dict[str, float], class_counts: Sequence[int], *,
    scenario: str, source: str | None,
) -> None:  # fmt: skip
    """Refuse a ``privacy.dp.target_delta`` not below 1/n, n the most rows a DP-SGD training
    of the run trains on (:func:`auditor.config.privacy.dp_rows`, as the run asks it): before
    any work, not on a card whose epsilon claims nothing."""
    n = drawn_rows(fractions, class_counts)
    check_delta(privacy.dp, *dp_rows(privacy, scenario, *n), source=source)


def drawn_rows(
    fractions: dict[str, float], class_counts: Sequence[int]
) -> tuple[int, int, int]:
    """finetune_train's, holdout's and test's rows as drawn: each class's ``fractions`` share's
    floor (as :func:`auditor.data.split_indices` draws them), before a table's are made equal."""
    finetune, holdout, test = (sum(math.floor(fractions.get(split, 0.0) * c) for c in class_counts)
                               for split in ("finetune_train", "holdout", "test"))  # fmt: skip
    return finetune, holdout, test


def check_predictions(
    config: AuditConfig, *, sensitive: Sequence[str], config_file: str | None, out: Path
) -> None:
    """The checks of ``auditor audit`` before the file is read: rules and ``--out``."""
    validate_rules(config.gates, source=config_file, schema=audit_schema)
    features = audited_features(config, tuple(sensitive), source=config_file)
    check_rule_features(config.gates, features, source=config_file)
    check_out_dir(out, mode="predictions")


def audited_features(
    config: AuditConfig, available: Sequence[str], *, source: str | None = None
) -> list[str]:
    """The names of the fairness section's features (``sex``, ``sex & race``) that this
    config produces from the ``available`` sensitive features; [] when fairness is off."""
    if not config.fairness.enabled:
        return []
    if isinstance(config.data, TableData):
        available = config.data.sensitive
    from auditor.fairness.engine import resolve_specs, spec_name  # the package loads pandas

    cfg = config.fairness
    features = list(cfg.sensitive) if cfg.sensitive is not None else list(available)
    named = set(features)
    if isinstance(cfg.intersections, list):
        named.update(f for combo in cfg.intersections for f in combo)
    for feature in sorted(named - set(available), key=lambda f: (f not in features, f)):
        have = ", ".join(available) or "none"
        field = "fairness.sensitive" if feature in features else "fairness.intersections"
        raise AuditorInputError(UNKNOWN_FEATURE.format(feature=feature, have=have),
                                source=source, field=field)  # fmt: skip
    return [spec_name(spec) for spec in resolve_specs(features, cfg.intersections)]


def check_rule_features(gates: GatesConfig, features: Sequence[str], *, source: str | None) -> None:
    """Refuse a rule whose path names a fairness feature (``fairness.features.X...`` or
    ``fairness.features[X]...``) that is not among ``features``. Selectors and wildcards pass."""
    if not features:
        return  # fairness off: its rules report "not run" when judged
    for i, rule in enumerate(gates.rules):
        steps = parse_path(rule.metric)
        if len(steps) < 3 or [s.key for s in steps[:2]] != ["fairness", "features"]:
            continue
        step = steps[2]
        if step.kind not in ("key", "match") or (step.kind == "match" and step.key is not None):
            continue  # [kind=feature]: a selector, not a name
        name = spellings(step)[0]  # the name as typed, else its \\u read
        if not any(n in features for n in spellings(step)):
            named = f"rule {rule.name!r} " if rule.name else ""
            have = ", ".join(features)
            message = RULE_FEATURE.format(rule=named, feature=name, have=have)
            raise AuditorInputError(message, source=source, field=f"gates.rules[{i}].metric")


def used_splits(config: AuditConfig) -> dict[str, float]:
    """The split fractions a run trains and audits on: ``training.recipe = "plain"`` folds the
    pretrain split into finetune_train (:func:`auditor.config.recipe_splits.plain_splits`,
    which ``training.recipes.effective_config`` applies: importing it loads torch), and
    without pretraining the pretrain split is unused."""
    plain = config.training.recipe == "plain"
    splits = config.data.splits
    fractions = dict((plain_splits(config.data.source, splits) if plain else splits).model_dump())
    if plain or config.pretrain.objective == "none":
        fractions.pop("pretrain")
    return fractions


def check_table_counts(
    data: TableData, intersections: str | list[list[str]], *, fractions: dict[str, float],
    privacy: PrivacyConfig | None = None, config_file: str | None = None,
) -> tuple[str, ...]:  # fmt: skip
    """A table's group counts (each feature and intersection), the size of each split of
    ``fractions`` and DP-SGD's delta for its rows (``privacy``'s, of ``config_file``), from its
    validation's checks (:func:`auditor.data.table.validate_table`). Returns the target's
    class names as the audit names them."""
    from auditor.data.table import checked_table  # pandas

    src = str(data.path)
    checked = checked_table(data, keep=True)  # validation's
    check_group_counts(checked.sensitive, intersections, src=src)
    y, task = checked.y, checked.task
    class_counts = [int((y == k).sum()) for k in range(len(task.class_names))]
    by_class = dict(zip(task.class_names, class_counts, strict=True))
    problem = table_problem(fractions, by_class, source=src)  # every short split and class
    if problem:
        raise AuditorInputError(problem[1], source=src, field=problem[0])
    if privacy is not None:
        check_dp_rows(privacy, fractions, class_counts, scenario="table", source=config_file)
    return task.class_names


def check_group_counts(
    groups: pd.DataFrame, intersections: str | list[list[str]], *, src: str
) -> None:
    """Refuse a sensitive feature or intersection of more than MAX_GROUPS groups in
    ``groups`` (one text column per sensitive feature, as validation made them)."""
    from auditor.fairness.engine import resolve_specs, spec_name  # the package loads pandas

    for spec in resolve_specs(list(groups.columns), intersections):
        n = int(groups.groupby(list(spec)).ngroups)
        if n > MAX_GROUPS:
            raise AuditorInputError(
                TOO_MANY_GROUPS.format(feature=spec_name(spec), n=n, limit=MAX_GROUPS),
                source=src, field="data.sensitive",
            )  # fmt: skip


def check_builtin_splits(config: AuditConfig, *, source: str | None = None) -> None:
    """Split sizes of a built-in source, counted per stratum as its splits are drawn
    (:func:`~auditor.preflight.sizes.builtin_strata`)."""
    strata = builtin_strata(config.data, seed=config.seed)
    if strata is None:
        return
    where = source or f"data.source = {config.data.source!r}"  # the config file, or the scenario
    fractions = used_splits(config)
    check_split_sizes(fractions, strata[0], source=where, more=strata[1])
    if config.data.source != "mnist" or config.data.root is None and not config.data.download:
        # MNIST from a root or a download: its rows once read (train_stages), before training;
        # here a download's digits may be a guess of equal shares
        check_dp_rows(config.privacy, fractions, strata[0], scenario=config.data.source,
                      source=where)


def load_factory(spec: str, *, base: Path, source: str | None = None) -> Callable[..., Any]:
    """Import ``package.module:function`` with ``base`` (the config file's folder) on the
    import path, and check that it takes ``input_shape`` and ``n_classes`` by keyword."""
    folder = str(base.resolve())
    if folder not in sys.path:
        sys.path.insert(0, folder)  # a factory beside its config imports without PYTHONPATH
    return import_function(spec, field_name="model.factory", wanted=FACTORY_ARGS, source=source)
