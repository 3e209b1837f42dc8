"""What every entry point of the Python API returns: :class:`AuditResult`.

An ``AuditResult`` holds the ``audit.json`` dict of one audit and, once written, the run folder
it lives in. It re-judges its gates in memory (:meth:`AuditResult.gate`), writes itself through
the run folder's one atomic writer (:meth:`AuditResult.write`) and renders its model card as
HTML (:meth:`AuditResult.to_html`, also shown inline by Jupyter through ``_repr_html_``).
"""

from __future__ import annotations

import copy
import dataclasses
import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from auditor.api._config_arg import wait_seconds
from auditor.api._errors import named_as
from auditor.api._rules import Rules, as_listed, gates_config
from auditor.audit_tree import Evidence, estimates, fmt_key, parse_path
from auditor.config import GatesConfig
from auditor.errors import AuditorInputError, check_resolvable
from auditor.gates import evaluate_gates, validate_rules
from auditor.io import CHECKPOINTS, RUN_FOLDER_FILES, read_path, to_json_text
from auditor.numbers import fmt_interval
from auditor.preflight import out_path, run_head
from auditor.preflight.run_place import IN_OTHER_RUN, refuse_in_run, shown
from auditor.record import audit_schema
from auditor.report.render import RENDERERS
from auditor.report.terminal import gap_counts
from auditor.run_folder import (
    LOCK_TIMEOUT_S,
    RUN_LOG,
    audit_file,
    check_out_dir,
    read_audit,
    write_run,
)

# Headline numbers printed beside the performance table (path suffixes in audit.json).
FAIRNESS_HEADLINE = ("equalized_odds_difference", "demographic_parity_difference")
PRIVACY_HEADLINE = ("auc",)

FOLDER_FIELDS = {"--out": "folder"}
FOLDER_WORDS = {"--out": "folder="}
SAME = "is the run or inside it; a run is never rewritten (choose another {field})"
SAME_FOLDER = SAME.format(field="--out")
OTHER_RUN = (
    "holds {what}; a run is never rewritten, and {field} may only replace an earlier gate or "
    "card of this same run (choose another {field})"
)
IN_SAME_RUN = (
    "lies in {folder}, a folder of this same run (an earlier gate, card or write of it, or a "
    "copy); a run's folder is never written into (choose another {field})"
)
NESTED = (
    "lies in another run's folder, {folder}, so its {kind} is not written beside it (a run "
    "is never rewritten): give --out"
)
AN_AUDIT = "is another run's audit.json; a run is never rewritten (choose another {field})"
# what only an audit writes into its folder, never a re-gate or a re-render:
# io.RUN_FOLDER_FILES (and a trained run's checkpoints) but audit.json and
# report.render.RENDERERS' files, which every write_run writes (run.log only where given a
# log, as only an audit gives it)
RUN_ONLY = (CHECKPOINTS, RUN_LOG,
            *sorted(RUN_FOLDER_FILES - {"audit.json", RUN_LOG, *dict(RENDERERS)}))  # fmt: skip


def json_form(audit: Mapping[str, Any]) -> dict[str, Any]:
    """The dict as ``audit.json`` holds it (NaN as null, tuples as lists)."""
    return json.loads(to_json_text(dict(audit)))


@dataclasses.dataclass(frozen=True)
class AuditResult:
    """data: the ``audit.json`` dict; run_dir: where the run's files are (None in memory)."""

    data: dict[str, Any]
    run_dir: Path | None = None
    # the audit.json it was read from (load, regate, rerender; kept by gate and write): such a
    # result never writes over that run, nor over another run's evidence
    read_from: Path | None = dataclasses.field(default=None, repr=False, compare=False)

    @property
    def schema_version(self) -> str:
        return self.data["schema_version"]

    def section(self, name: str) -> dict[str, Any]:
        return self.data[name]

    @property
    def verdict(self) -> str:
        """ "pass" | "fail" | "warn" | "not_run", from the gates section."""
        gates = self.data.get("gates") or {}
        return gates.get("verdict", "not_run")

    def json_data(self) -> dict[str, Any]:
        """``data`` as ``audit.json`` holds it (NaN as null): what the schema validates."""
        return json_form(self.data)

    def headline(self) -> dict[str, float | int | None]:
        """The few performance numbers printed at the end of a run (the audited model on the
        test split; the pretrained stage's where auditor trained one)."""
        perf = self.data["performance"]
        test = perf.get("finetuned", {}).get("test", {})
        keys = ("n", "accuracy", "balanced_accuracy", "f1_macro", "roc_auc", "ece")
        out = {k: test.get(k) for k in keys}
        pre = perf.get("pretrained", {}).get("test", {})
        if "accuracy" in pre:
            out["pretrained_accuracy"] = pre["accuracy"]
        elif "reconstruction_mse" in pre:
            out["pretrained_reconstruction_mse"] = pre["reconstruction_mse"]
        return out

    def headline_estimates(self) -> list[tuple[str, Evidence]]:
        """The fairness gaps (equalized odds, demographic parity per feature) and privacy
        AUCs (per attack) with their intervals: ``[(metric path, {value, ci_low, ci_high,
        n} as read by audit_tree), ...]``, in the order of ``audit.json``. Only the subtrees
        that hold them are read: a 1,000-group audit's 52,000 other estimates are not."""
        parts = _headline_parts(self.data)
        found = (estimates(json_form(part), at) for at, part in parts)
        return [(p, e) for at_part in found for p, e in at_part if _headline_label(p)]

    def headline_title(self) -> str:
        """What the performance headline is about, in words."""
        mode = self.data["run"].get("mode", "run")
        model = {"run": "Fine-tuned model", "supplied": "Supplied model"}.get(mode, "The model")
        return f"{model}, test split:"

    def headline_rows(self) -> list[tuple[str, str]]:
        """The fairness and privacy headline as (label, "value [low, high] n=N") rows, printed
        beside the performance table: 'sex: equalized odds gap', 'rmia: membership AUC'."""
        sizes: dict[str, dict[str, Any]] = {}  # each feature's group sizes, read once
        return [(_headline_label(p), _interval_text(e) + _gap_counts(self.data, p, sizes))
                for p, e in self.headline_estimates()]  # fmt: skip

    def gate(self, rules: Rules | None = None, *, fail_on: str | None = None) -> AuditResult:
        """A new, in-memory AuditResult with the gates judged again: by ``rules`` (a
        ``GatesConfig``, a ``[gates]`` dict, or a list of rules added to the built-in ones),
        else by the audit's own gates config. Nothing is trained or written."""
        own = GatesConfig.model_validate(self.data["config"].get("gates", {}))
        cfg = own if rules is None else gates_config(rules, base=own)
        if fail_on is not None:
            cfg = cfg.with_fail_on(fail_on)
        listed = rules is not None and not isinstance(rules, GatesConfig | Mapping)
        try:
            validate_rules(cfg, source=None, schema=audit_schema)  # named once: gates.rules[0]
        except AuditorInputError as exc:  # a list's rule i is rules[i], as its parse names it
            raise (as_listed(exc) if listed else exc) from None
        audit = copy.deepcopy(self.data)  # its own: editing one result edits no other
        audit["gates"] = evaluate_gates(audit, cfg)
        audit["config"] = {**audit["config"], "gates": cfg.model_dump(mode="json")}
        return AuditResult(data=audit, run_dir=None, read_from=self.read_from)

    def write(self, folder: str | Path, *, lock_timeout: float = LOCK_TIMEOUT_S) -> AuditResult:
        """Write the run folder (validated ``audit.json``, card, summary, junit) as one unit
        through :func:`auditor.run_folder.write_run`; returns the result with ``run_dir``.
        A result read from a run (:meth:`load`) writes neither into that run nor over another
        run's evidence (exit 2 naming ``folder``); an earlier write of it is replaced."""
        lock_timeout = wait_seconds(lock_timeout)
        with named_as(FOLDER_WORDS, FOLDER_FIELDS, given=(folder,)):  # not the command line's --out
            return self._write(folder, lock_timeout=lock_timeout)

    def _write(self, folder: str | Path, *, lock_timeout: float) -> AuditResult:
        """:meth:`write`, its errors naming ``--out`` (``auditor audit``'s own write)."""
        folder = out_path(folder)  # an int, "s3://b/run": one line; "~/x" the home folder's
        run = self.data.get("run")
        own = json_form(run) if isinstance(run, dict) else None
        if self.read_from is not None:
            refuse_rewrite(Path(folder), self.read_from, field="--out", own_run=own)
        else:  # in memory: worded as a loaded result's (its own earlier write: IN_SAME_RUN)
            check_resolvable(Path(folder), field="--out")
            _refuse_in_run(Path(folder), (), own, field="--out", default=None)
        out = check_out_dir(folder, mode=self.mode, placed=True)
        write_run(self.data, out, lock_timeout=lock_timeout)
        kept = copy.deepcopy(self.data)  # its own, as gate()'s
        return AuditResult(data=kept, run_dir=out, read_from=self.read_from)

    @property
    def mode(self) -> str | None:
        """The audit's kind (``run.mode``: a trained run's is "run"), so that writing it
        replaces no folder of another kind (a trained run's checkpoints)."""
        run = self.data.get("run")
        mode = run.get("mode", "run") if isinstance(run, dict) else "run"
        return mode if isinstance(mode, str) else None

    def to_html(self) -> str:
        """The model card as one self-contained HTML page."""
        from auditor.report.html import render_html

        return render_html(json_form(self.data))

    def _repr_html_(self) -> str:
        # Jupyter shows the card inline; an iframe keeps its CSS out of the notebook's.
        page = self.to_html().replace("&", "&amp;").replace('"', "&quot;")
        return f'<iframe srcdoc="{page}" style="width:100%;height:720px;border:0"></iframe>'

    def __repr__(self) -> str:
        where = str(self.run_dir) if self.run_dir else "in memory"
        return f"AuditResult(run={self.data['run']['name']!r}, verdict={self.verdict!r}, {where})"

    @classmethod
    def load(cls, path: str | Path) -> AuditResult:
        """Read ``RUN_DIR`` or ``RUN_DIR/audit.json``, validated against the schema; a URL
        not there is refused as written ("https:/x/y: no such file" was shown); anything but a
        path (an int, None, a DataFrame) one line naming ``path`` (a raw TypeError was)."""
        return read_run(read_path(path, field="path"))[0]  # "~/runs/x": the home folder's


def read_run(path: str | Path, *, field: str | None = None) -> tuple[AuditResult, str]:
    """The run at ``path`` read back (:func:`auditor.run_folder.read_audit`: a refusal of the
    whole file names ``field`` where given) and its audit.json's text, as read."""
    data, text = read_audit(path, field=field)
    named = audit_file(path)
    return AuditResult(data=data, run_dir=named.parent, read_from=named.resolve()), text


def refuse_rewrite(out: Path, *runs: str | Path, own_run: dict[str, Any] | None,
                   field: str, default: str | None = None) -> None:  # fmt: skip
    """One line naming ``out`` (as ``field``) where writing there would rewrite evidence: an
    audit read (``runs``: run folders or audit files, as given; a linked audit.json's folder
    and the one it points into alike) or a folder holding it; a path inside a run folder (a
    folder holding audit.json beside both model cards; one of ``runs``' also where it holds
    files a run writes and nothing else, or a model card beside summary.md: see
    :func:`auditor.preflight.run_place.is_run_folder`); a path giving a folder holding
    audit.json a model card's name (it would pass for a run); another audit.json; or a
    folder of another run (see :func:`_refuse_other_run`; ``own_run``: the ``run`` section
    of the audit written). ``default``: the kind ("gate", "card") where ``out`` is the folder
    chosen beside the run, not given: a run inside another run's folder is then named, not
    an --out never given. gate, card, diff and ``AuditResult.write`` all judge their
    ``--out`` by this one rule."""
    check_resolvable(out, field=field)  # resolve() raises RuntimeError on a loop of links
    target, reads = out.resolve(), _read_as(runs)
    if any(target == read or target in read.parents for read in reads):
        raise AuditorInputError(SAME.format(field=field), source=str(out), field=field)
    _refuse_in_run(out, runs, own_run, field=field, default=default)
    if target.name == "audit.json" and target.is_file():  # a saved baseline's, say
        raise AuditorInputError(AN_AUDIT.format(field=field), source=str(out), field=field)
    _refuse_other_run(out, target, own_run, field=field)


def _refuse_in_run(out: Path, runs: tuple[str | Path, ...], own_run: dict[str, Any] | None,
                   *, field: str, default: str | None) -> None:  # fmt: skip
    """check_out_dir's rule (:func:`auditor.preflight.run_place.refuse_in_run`), the folders
    of ``runs`` judged as an audit read's, its refusal worded by :func:`_in_run`. ``out``:
    resolvable, checked by the caller."""
    reads = {read.parent for read in _read_as(runs)}
    refuse_in_run(out, field=field, reads=reads, in_run=lambda folder: _in_run(
        out, folder, runs, own_run, field=field, default=default))  # fmt: skip


def _in_run(out: Path, folder: Path, runs: tuple[str | Path, ...],
            own_run: dict[str, Any] | None, *, field: str,
            default: str | None) -> AuditorInputError:  # fmt: skip
    """The refusal of ``out``, inside the run folder ``folder``: a run read (SAME); the
    default out of a run nested in another (named as the run's place); an earlier gate or
    card of this run, or a copy of it; or another run."""
    named = repr(shown(folder))
    if folder in {read.parent for read in _read_as(runs)}:
        return AuditorInputError(SAME.format(field=field), source=str(out), field=field)
    if default is not None and runs:  # the run as given, and the field to give
        words = NESTED.format(folder=named, kind=default)
        return AuditorInputError(words, source=os.fspath(runs[0]), field=field)
    same = own_run is not None and run_head(folder / "audit.json") == own_run
    words = (IN_SAME_RUN if same else IN_OTHER_RUN).format(folder=named, field=field)
    return AuditorInputError(words, source=str(out), field=field)


def _read_as(runs: tuple[str | Path, ...]) -> list[Path]:
    """Each audit read, resolved, and (an audit.json that is a link) as its folder names it."""
    named = [audit_file(run).absolute() for run in runs]
    both = [p for n in named for p in (n.resolve(), n.parent.resolve() / n.name)]
    return list(dict.fromkeys(both))


def _refuse_other_run(out: Path, target: Path, own_run: dict[str, Any] | None, *,
                      field: str) -> None:  # fmt: skip
    """One line if the folder ``target`` (``out`` resolved) holds a run's evidence: a file
    only an audit writes (checkpoints/, run.log, predictions.parquet), or an audit.json whose
    ``run`` section is not ``own_run`` (another run, or one that cannot be read).
    ``auditor gate A --out B`` replaced run B whole with A's re-gate, and
    ``AuditResult.load(A).write(B)`` did too."""
    held = target / "audit.json"
    if not target.is_dir() or not os.path.lexists(held):
        return
    own = [name for name in RUN_ONLY if os.path.lexists(target / name)]
    if own:
        what = f"a run's own {own[0]}"
    elif (found := run_head(held)) is None or found != own_run:
        what = "another run's audit.json"
    else:
        return  # an earlier gate or card of this run: replaced, as a re-run replaces its run
    message = OTHER_RUN.format(what=what, field=field)
    raise AuditorInputError(message, source=str(out), field=field)


def _headline_parts(data: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    """(path, subtree) of each place a headline estimate can be, in the order of ``data``:
    each feature's ``fairness.features.<name>.disparities``, and ``privacy.attacks``."""
    for section in data:
        part = data[section]
        if section == "fairness" and isinstance(part, Mapping):
            features = part.get("features")
            for name, feature in features.items() if isinstance(features, Mapping) else ():
                if isinstance(feature, Mapping) and "disparities" in feature:
                    at = f"fairness.features.{fmt_key(str(name))}.disparities"
                    yield at, feature["disparities"]
        elif section == "privacy" and isinstance(part, Mapping) and "attacks" in part:
            yield "privacy.attacks", part["attacks"]


def _headline_label(path: str) -> str | None:
    """The headline's label of an estimate's path ('sex: equalized odds gap', with '(high vs
    rest)' for one class of a multi-class target, whose gaps are keyed 'name@class'; 'rmia:
    membership AUC'), None for a number outside the headline. Keys are read as the path
    language quotes them, so a name with dots stays whole."""
    if not (path.endswith(".between_groups") or path.startswith("privacy.attacks.")):
        return None  # both keys are written bare: no parse of the audit's other estimates
    keys = [s.key for s in parse_path(path)]
    if keys[0] == "fairness" and keys[-1] == "between_groups" and len(keys) >= 4:
        metric, _, cls = str(keys[-2]).partition("@")
        if metric in FAIRNESS_HEADLINE:
            gap = metric.replace("_difference", " gap").replace("_", " ")
            return f"{keys[2]}: {gap}" + (f" ({cls} vs rest)" if cls else "")
    if keys[:2] == ["privacy", "attacks"] and len(keys) == 4 and keys[3] in PRIVACY_HEADLINE:
        return f"{keys[2]}: membership AUC"
    return None


def _gap_counts(data: Mapping[str, Any], path: str, sizes: dict[str, dict[str, Any]]) -> str:
    """A fairness gap's counts (its two groups' rows, :func:`gap_counts`); '' elsewhere.
    ``sizes``: each feature's groups and rows in their JSON form, made once a feature (the
    whole feature's JSON form, 1,000 groups with their metrics, was made for each gap)."""
    keys = [s.key for s in parse_path(path)]
    if keys[0] != "fairness":
        return ""
    feature = data["fairness"]["features"][keys[2]]
    if keys[2] not in sizes:
        sizes[keys[2]] = json_form({"groups": [{"group": g["group"], "n": g["n"]}
                                               for g in feature.get("groups") or ()]})  # fmt: skip
    return gap_counts(sizes[keys[2]], json_form(feature["disparities"][keys[-2]][keys[-1]]))


def _interval_text(e: Evidence) -> str:
    if not isinstance(e.value, int | float):
        return f"undefined ({e.undefined or e.status or 'no value'})"
    text = fmt_interval(float(e.value), e.ci_low, e.ci_high)  # the ends rounded outward
    return text + (f" n={e.n:,}" if e.n is not None else "")
