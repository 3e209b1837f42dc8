"""The Jinja2 environment shared by every renderer: autoescape on, StrictUndefined, so a
field that a template names but the audit lacks is an error, never a blank."""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup, escape

from auditor import __version__
from auditor.io import user_cache_dir
from auditor.numbers import (
    convergence_share,
    fmt_high,
    fmt_low,
    fmt_num,
    fmt_vs,
    interval_ends,
)
from auditor.report import decision, heatmap, hub, plots
from auditor.report import model_facts as facts
from auditor.report.bound import bound_sign
from auditor.report.class_counts import classes_text, score_classes
from auditor.report.escape import (
    bidi_isolated,
    card_exact,
    card_lines,
    card_prose,
    card_text,
    controls_shown,
    controls_visible,
    md_code,
    md_escape,
    md_fence,
    md_prose,
    svg_escape,
)


def templates_dir() -> Path:
    """``auditor/templates`` in an installed wheel, else the repository's ``templates/``."""
    packaged = Path(str(resources.files("auditor"))) / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "templates"


def yaml_num(value: Any) -> str:
    """A number for YAML front matter: ``null`` when missing or not finite."""
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        return "null"
    if isinstance(value, float) and not math.isfinite(value):
        return "null"
    return repr(value) if isinstance(value, float) else str(value)


# A character beyond the BMP as JSON writes it (a UTF-16 surrogate pair of \u escapes).
_PAIR = re.compile(r"\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})")


def _astral(m: re.Match[str]) -> str:
    high, low = int(m.group(1), 16), int(m.group(2), 16)
    return f"\\U{0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00):08x}"


def yaml_json(value: Any) -> str:
    """A value of the front matter as JSON in ASCII (valid YAML: control characters, quotes
    and line breaks escaped; ``<>&'`` too, as Jinja's ``tojson``), a character beyond the
    BMP written ``\\U0001f642``: YAML's ``\\u`` escape is 16 bits, so PyYAML (which
    huggingface_hub reads cards with) read the pair ``\\ud83d\\ude42`` of an emoji as two
    lone surrogates, not text."""
    return _PAIR.sub(_astral, str(htmlsafe_json_dumps(value)))  # Jinja's tojson: <>&' too


STATUS_TEXT = {
    "met": "met", "declared": "declared", "missing": "missing", "not_applicable": "not applicable",
    "warn": "warning", "fail": "fail", "pass": "pass", "ok": "ok", "not_run": "not run",
    "insufficient_data": "insufficient data",
}  # fmt: skip
STATUS_ICON = {
    "met": "✔", "pass": "✔", "ok": "✔", "declared": "✎", "missing": "✘", "fail": "✘",
    "warn": "⚠", "insufficient_data": "⚠", "not_applicable": "–", "not_run": "–",
}  # fmt: skip


def status_md(value: Any) -> str:
    """A status for Markdown: icon and words (never colour alone)."""
    key = str(value)
    return f"{STATUS_ICON.get(key, '•')} {STATUS_TEXT.get(key, key)}"


def status_text(value: Any) -> str:
    return STATUS_TEXT.get(str(value), str(value))


def _num_html(value: Any, digits: int) -> str:
    """``value | num(digits)`` as a template prints it: a number's text (digits, signs,
    '—') as it is; anything else with its control characters made visible, then escaped."""
    text = fmt_num(value, digits)
    if value is None or isinstance(value, (int, float)):
        return text
    return str(escape(controls_shown(text)))


def ci_html(estimate: Any, digits: int = 3) -> Markup:
    """An estimate node's ``value [ci_low, ci_high]`` in a card's table (the interval only
    where both ends are numbers), each number as ``num`` writes it. A Python function, not a
    template macro: the card of a 1,000-group audit prints 36,000 of them (a macro call each
    cost 1 s of its 2.7 s)."""
    text = bound_sign(estimate.get("bound_only")) + _num_html(estimate["value"], digits)
    low, high = estimate["ci_low"], estimate["ci_high"]
    ends = interval_ends(low, high, digits)
    if ends and not (isinstance(low, float) and isinstance(high, float)):
        ends = _text_html(ends)  # an end that is not a float may be a text
    if ends:
        text += f' <span class="note">{ends}</span>'
    return Markup(text)


def ci_md(estimate: Mapping[str, Any], digits: int = 3) -> str:
    """An estimate node in a Markdown table cell: ``value [low, high]`` where both ends are
    numbers (rounded outward, once), else the value and the node's reason for having no
    interval (a log loss of one true class), never a bare ``[—, —]``. A text where a number
    belongs is escaped (a ``|`` would split the cell, a newline end the row)."""
    value, low, high = estimate.get("value"), estimate.get("ci_low"), estimate.get("ci_high")
    text = fmt_num(value, digits)
    if not (value is None or isinstance(value, (int, float))):
        text = md_escape(text)
    text = bound_sign(estimate.get("bound_only")) + text
    ends = interval_ends(low, high, digits)
    if ends:
        numbers = isinstance(low, (int, float)) and isinstance(high, (int, float))
        return f"{text} {ends if numbers else md_escape(ends)}"
    why = estimate.get("reason")
    return f"{text} ({md_escape(why)})" if why else text


def _text_html(value: Any) -> str:
    """``{{ value }}`` as a template prints it: control characters made visible, escaped."""
    return str(escape(controls_shown(value)))


def metric_cells(metrics: Mapping[str, Any], cols: Sequence[tuple[str, str]]) -> Markup:
    """A group's cells of the per-group table, one per ``(key, label)`` of ``cols``: see
    :func:`estimate_cells`."""
    return estimate_cells([metrics[key] for key, _label in cols])


def estimate_cells(estimates: Sequence[Mapping[str, Any]], counts: bool = True) -> Markup:
    """A table cell per estimate node: its :func:`ci_html` and (``counts``) its count, the
    reason (if any) as the cell's title; as the templates' loops wrote them, without a loop
    step per cell (36,000 in the per-group table of a 1,000-group card)."""
    cells = []
    for m in estimates:
        title = f' title="{_text_html(m["reason"])}"' if m["reason"] else ""
        count = f' <span class="note">n={_num_html(m["n"], 3)}</span>' if counts else ""
        cells.append(f'<td class="num"{title}>{ci_html(m)}{count}</td>')
    return Markup("".join(cells))


def score_cells(g: Mapping[str, Any], classes: Mapping[str, tuple[int, int]]) -> Markup:
    """A scored group's ROC AUC, log loss and ECE cells (:func:`estimate_cells`), the AUC's
    with the positives and negatives it rests on (an AUC of 3 positives says so)."""
    cells = estimate_cells((g["roc_auc"], g["log_loss"], g["ece"]), counts=False)
    text = classes_text(classes.get(str(g["group"])))
    if not text:
        return cells
    head, sep, rest = str(cells).partition("</td>")
    text = text.replace(" ", "&nbsp;").replace(",&nbsp;", ", ")  # a count stays with its word
    return Markup(f'{head}<br><span class="note">{text}</span>{sep}{rest}')


def auc_md(g: Mapping[str, Any], classes: Mapping[str, tuple[int, int]]) -> str:
    """A scored group's ROC AUC in a Markdown cell (:func:`ci_md`) with the positives and
    negatives it rests on."""
    text = classes_text(classes.get(str(g["group"])))
    return ci_md(g["roc_auc"]) + (f"; {text}" if text else "")


ABSENT_SHOWN = 20  # absent combinations named on a card; the rest are counted


def absent_cells(features: Mapping[str, Any], feature: Mapping[str, Any]) -> dict[str, Any]:
    """The combinations of an intersection's features' groups that no row has: ``count``
    and the first ``ABSENT_SHOWN`` labels (``shown``, in the features' group order). They
    are no groups (audit.json leaves them out; one written before lists them with n = 0,
    counted here too): a card names them rather than print a row without data."""
    parts = feature["components"]
    if len(parts) < 2:  # an unused category: listed with n = 0 by an older audit.json only
        empty = [g["group"] for g in feature["groups"] if not g["n"]]
        return {"count": len(empty), "shown": empty[:ABSENT_SHOWN]}
    present = {tuple(g["values"][c] for c in parts) for g in feature["groups"] if g["n"]}
    seen = [list(dict.fromkeys(g["values"][c] for g in feature["groups"])) for c in parts]
    labels = [
        [g["values"][c] for g in features[c]["groups"] if g["n"]] if c in features else seen[i]
        for i, c in enumerate(parts)
    ]  # fmt: skip
    count = math.prod(len(x) for x in labels) - len(present)
    absent = (cell for cell in itertools.product(*labels) if cell not in present)
    shown = list(itertools.islice(absent, ABSENT_SHOWN)) if count else []
    return {"count": count, "shown": [" & ".join(cell) for cell in shown]}


def fmt_pct(value: Any, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    return f"{100 * float(value):.{digits}f}%"


class _QuietBytecodeCache(jinja2.FileSystemBytecodeCache):
    """Jinja2's file cache of compiled templates, silent when a file cannot be read or
    written (a read-only home, a full disk, a half-written file from a crash)."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, EOFError, ValueError, TypeError):
            bucket.reset()  # compile from the template instead

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass  # the next run compiles again


def bytecode_cache(kind: str) -> jinja2.BytecodeCache | None:
    """Compiled templates in ``$XDG_CACHE_HOME/auditor`` (else ``~/.cache/auditor``), one
    folder per auditor and Jinja2 version and environment ``kind``; None (compile every run)
    when that folder cannot be made. Jinja2 checks each template's source checksum, so an
    edited template is compiled again. Compiling the cards is most of a small audit's time."""
    folder = user_cache_dir(f"templates-{__version__}-jinja{jinja2.__version__}-{kind}")
    return None if folder is None else _QuietBytecodeCache(str(folder))


@cache
def environment(markdown: bool = False) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        bytecode_cache=bytecode_cache("markdown" if markdown else "html"),
        # HTML: every value is escaped unless a renderer marked it safe (our own SVG).
        # Markdown: escaping is done by the md_escape filter, not by HTML autoescape.
        autoescape=not markdown,
        # no ESC / BEL from a label reaches a card; a very long word can wrap in HTML
        finalize=controls_visible if markdown else card_text,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(num=fmt_num, lo=fmt_low, hi=fmt_high, vs=fmt_vs, pct=fmt_pct, md=md_escape,
                       code=md_code, exact=card_exact,
                       code_line=lambda v: md_code(v, in_table=False),
                       yaml_num=yaml_num, yaml=yaml_json, status_md=status_md,
                       status_text=status_text, bidi=bidi_isolated,
                       level=decision.level_text, convergence_share=convergence_share,
                       md_prose=md_prose, prose=card_prose, lines=card_lines,
                       fence=md_fence, plain_attr=svg_escape)  # fmt: skip
    env.globals.update(plots=plots, heatmap=heatmap, decision=decision, hub=hub, facts=facts,
                       isnan=lambda v: v is None, status_icon=STATUS_ICON,
                       card_splits=card_splits, ci=ci_html, ci_md=ci_md,
                       absent_cells=absent_cells, metric_cells=metric_cells,
                       score_classes=score_classes, score_cells=score_cells, auc_md=auc_md,
                       estimate_cells=estimate_cells)  # fmt: skip
    env.tests["predictions_only"] = predictions_only
    env.tests["supplied"] = supplied
    return env


def predictions_only(audit: dict[str, Any]) -> bool:
    """An audit of a predictions file (``auditor audit``): auditor never saw the model."""
    return (audit.get("run") or {}).get("mode") == "predictions"


def supplied(audit: dict[str, Any]) -> bool:
    """An audit of a model trained elsewhere (``audit_model``, model.kind checkpoint /
    sklearn): auditor ran the model on the user's rows and trained nothing."""
    return (audit.get("run") or {}).get("mode") == "supplied"


def card_splits(audit: dict[str, Any]) -> dict[str, Any]:
    """The splits a card lists: every split of a trained run; the non-empty ones of a
    predictions-only audit (its file is the test split, the others hold no rows)."""
    splits = audit["data"]["splits"]
    if not predictions_only(audit) and not supplied(audit):
        return splits
    return {name: s for name, s in splits.items() if s["n_rows"]}
