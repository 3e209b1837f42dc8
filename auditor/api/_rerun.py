"""Re-judging and re-rendering a written run into a NEW folder (the run stays byte-identical),
and the gate options of the command line applied to a gates config."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from auditor.api._config_arg import config_path, file_text, wait_seconds
from auditor.api._errors import RERUN_FIELDS, RERUN_WORDS, named_as
from auditor.api._result import AuditResult, read_run, refuse_rewrite
from auditor.config import AuditConfig, GatesConfig, expand_home
from auditor.config.predictions_file import load_predictions_config
from auditor.errors import AuditorInputError
from auditor.gates import evaluate_gates, validate_rules
from auditor.io import read_path
from auditor.preflight import out_path, run_head
from auditor.record import audit_schema
from auditor.run_folder import (
    LOCK_TIMEOUT_S,
    audit_file,
    check_out_dir,
    load_audit,
    write_run,
)

BASELINE_RECORDED = (
    "the baseline this audit's gates config names could not be read (give --baseline, or a "
    "--config without one)"
)


def gate_options(
    gates: GatesConfig, *, fail_on: str | None = None, baseline: str | Path | None = None
) -> GatesConfig:
    """The gates config with the command line's ``--fail-on`` / ``--baseline`` applied (a
    baseline given there is the working folder's, not the config's); nothing is read."""
    update: dict[str, Any] = {}
    if fail_on is not None:
        update["fail_on"] = gates.with_fail_on(fail_on).fail_on  # checked, in any case
    if baseline is not None:
        update["baseline"] = read_path(baseline, field="--baseline").absolute()  # str, or 5
    return gates.model_copy(update=update) if update else gates


def _read_run(value: Any, *, flags: bool) -> tuple[Path, AuditResult, str]:
    """``run_dir`` as a local Path (:func:`read_path`), its run read back and the audit.json's
    text (:func:`read_run`): a refusal of the whole file (none there, a folder, not JSON)
    names ``run_dir`` ('nope: run_dir: no such file'); with ``flags`` the command line's
    RUN_DIR is named by its file alone."""
    path = read_path(value, field="run_dir")
    return path, *read_run(path, field=None if flags else "run_dir")


def read_baseline(
    gates: GatesConfig, *, config_file: Path | None = None
) -> tuple[GatesConfig, dict[str, Any] | None]:
    """The gates config with its baseline's path resolved (``~`` the home folder; relative:
    beside ``config_file`` where it is there, else here), and the baseline audit read back
    as ``auditor gate`` reads an audit (exit 2 before any work); None without a baseline."""
    if gates.baseline is None:
        return gates, None
    path = expand_home(gates.baseline, source=str(config_file) if config_file else None,
                       field="gates.baseline")  # "~/runs/x", as data.path takes it
    if not path.is_absolute() and config_file is not None:
        if os.path.lexists(config_file.parent / path):  # a link loop too: named as one
            path = config_file.parent / path
    data = load_audit(path)
    return gates.model_copy(update={"baseline": path.resolve()}), data


def _beside(run_dir: Path, kind: str) -> Path:
    """``RUN.gate-<UTC time>`` beside the run; ``-2``, ``-3``... after it where a folder of
    that second exists (two re-gates in one second must not replace one another)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    base = run_dir.absolute().parent / f"{run_dir.absolute().name}.{kind}-{stamp}"
    out, k = base, 1
    while out.exists():
        k += 1
        out = base.with_name(f"{base.name}-{k}")
    return out


def _target(read: str | Path, out_dir: str | Path | None, kind: str, mode: str | None) -> Path:
    """Where re-gating or re-rendering the audit ``read`` (of kind ``mode``) writes, by
    :func:`refuse_rewrite`: never the audit read, nor a folder holding it (an audit.json that
    is a link: the folder named and the one it points into alike); nor inside a run folder,
    its own (holding files a run writes and nothing else, its cards gone or not) or another's
    (a folder holding audit.json beside both model cards; a lone audit.json, a saved
    baseline, makes none: ``-o sub`` beside it is written, though not ``-o model_card.md``
    nor ``-o model_card.md/sub``, a card's name);
    nor a run of another kind (a trained run's checkpoints/ were replaced by a predictions
    audit's re-gate). The default out, ``RUN.<kind>-<UTC time>`` beside the run, lies in
    another run where the run is nested in one: refused naming the run, not an --out never
    given."""
    named = audit_file(read).absolute()
    out = out_path(out_dir) if out_dir is not None else _beside(named.parent, kind)
    refuse_rewrite(out, read, own_run=run_head(named.resolve()), field="--out",
                   default=None if out_dir is not None else kind)  # fmt: skip
    return check_out_dir(out, mode=mode, placed=True)


def _run_gates_config(source: AuditResult) -> tuple[GatesConfig, str | None]:
    audit = source.data
    try:
        gates_cfg = GatesConfig.model_validate(audit["config"].get("gates", {}))
    except ValueError as exc:
        raise AuditorInputError(
            f"invalid gates config ({exc.errors()[0]['msg']})",
            source=str(Path(source.run_dir or ".") / "audit.json"),
            field="config.gates",
        ) from None
    config_file = (audit.get("gates") or {}).get("config_file") or audit["run"].get("config_file")
    return gates_cfg, config_file


def regate(
    run_dir: str | Path,
    *,
    config: str | Path | AuditConfig | None = None,
    fail_on: str | None = None,
    baseline: str | Path | None = None,
    out_dir: str | Path | None = None,
    lock_timeout: float = LOCK_TIMEOUT_S,
    flags: bool = False,
    config_file: str | Path | None = None,
) -> AuditResult:
    """Re-evaluate the gates of a run (its own gates config, or ``config``'s: a TOML file, or
    an :class:`AuditConfig` read from ``config_file``, if any; ``config_file`` only with an
    AuditConfig) without retraining. The run is left byte-identical: the re-gated audit.json,
    junit.xml, summary.md and card go to ``out_dir`` (default: ``<run>.gate-<UTC time>``
    beside it). Checked in this order, the first bad one named: ``fail_on`` (the command
    line's is a choice), ``config``'s type, ``config_file`` (beside no AuditConfig),
    ``config`` read once and its rules checked, ``run_dir``'s audit.json, ``out_dir``, the
    baseline. Bad input names these arguments (``out_dir``), or with ``flags`` (the command
    line's call) ``auditor gate``'s."""
    given = (run_dir, config, baseline, out_dir, config_file)
    with named_as(RERUN_WORDS, RERUN_FIELDS, flags=flags, given=given):
        if fail_on is not None:
            GatesConfig().with_fail_on(fail_on)  # first, whichever gates it applies to
        lock_timeout = wait_seconds(lock_timeout)
        options = {"fail_on": fail_on, "baseline": baseline}
        gates = _config_gates(config, config_file, options)
        path, source, _ = _read_run(run_dir, flags=flags)
        return _regate(path, source, gates=gates, options=options, out_dir=out_dir,
                       lock_timeout=lock_timeout)  # fmt: skip


def _config_gates(
    config: Any, config_file: Any, options: dict[str, Any]
) -> tuple[GatesConfig, Path | None] | None:
    """``config``'s gates, the command line's options applied and its rules checked (before
    the run is read), and the file they came from (``config_file``, or ``config`` where it is
    a file: any file `auditor run` or `auditor audit --config` takes, only its gates read; a
    refusal of the whole file names --config, as the command line does); None without one."""
    path = config_path(config, config_file, optional=True)  # type first, then config_file
    if config is None:
        return None
    if path is not None:
        config, config_file = load_predictions_config(path)[0], path
    named = Path(file_text(config_file)) if config_file is not None else None
    return _checked(config.gates, options, source=named), named


def _checked(gates: GatesConfig, options: dict[str, Any], *, source: str | Path | None
             ) -> GatesConfig:  # fmt: skip
    """``gates`` with the command line's options applied (:func:`gate_options`), its rules
    checked against the audit's schema, bad ones naming ``source``: config's or the run's."""
    gates = gate_options(gates, **options)
    validate_rules(gates, source=str(source) if source else None, schema=audit_schema)
    return gates


def _regate(
    run_dir: Path, source: AuditResult, *, gates: tuple[GatesConfig, Path | None] | None,
    options: dict[str, Any], out_dir: str | Path | None, lock_timeout: float,
) -> AuditResult:  # fmt: skip
    """:func:`regate` of ``source``, read from ``run_dir``, its errors in the command line's
    words; ``gates``: ``config``'s (:func:`_config_gates`), else the run's own, checked here."""
    out = _target(run_dir, out_dir, "gate", source.mode)
    baseline = options["baseline"]
    if gates is not None:
        (gates_cfg, config), recorded = gates, False
        config_file = str(config) if config is not None else None
    else:
        gates_cfg, config_file = _run_gates_config(source)
        config, recorded = None, baseline is None and gates_cfg.baseline is not None
        gates_cfg = _checked(gates_cfg, options, source=config_file)
    try:
        gates_cfg, old = read_baseline(gates_cfg, config_file=config)
    except AuditorInputError as exc:
        if not recorded:  # /x/nope: no such file: the flag (or the config's key) that named it
            raise exc.with_field("--baseline" if baseline else "gates.baseline") from None
        raise AuditorInputError(  # a path the user never typed: say where it comes from
            f"{BASELINE_RECORDED}: {exc}", source=str(audit_file(run_dir)),
            field="config.gates.baseline",
        ) from None
    audit = dict(source.data)
    named = str(gates_cfg.baseline) if old is not None else None
    audit["gates"] = evaluate_gates(audit, gates_cfg, config_file=config_file, baseline=old,
                                    baseline_file=named)  # fmt: skip
    audit["config"] = {**audit["config"], "gates": gates_cfg.model_dump(mode="json")}
    write_run(audit, out, lock_timeout=lock_timeout)
    return AuditResult(data=audit, run_dir=out, read_from=source.read_from)


def rerender(
    run_dir: str | Path, *, out_dir: str | Path | None = None,
    lock_timeout: float = LOCK_TIMEOUT_S, flags: bool = False,
) -> AuditResult:  # fmt: skip
    """Rebuild every report format from a run's ``audit.json`` alone, into ``out_dir``
    (default: ``<run>.card-<UTC time>`` beside it); the run itself is not touched. Bad input
    names ``out_dir``, or with ``flags`` ``auditor card``'s ``--out``."""
    with named_as(RERUN_WORDS, RERUN_FIELDS, flags=flags, given=(run_dir, out_dir)):
        lock_timeout = wait_seconds(lock_timeout)
        path, source, text = _read_run(run_dir, flags=flags)  # read and validated once
        out = _target(path, out_dir, "card", source.mode)
        write_run(source.data, out, lock_timeout=lock_timeout, text=text)  # as it was read
        return AuditResult(data=source.data, run_dir=out, read_from=source.read_from)
