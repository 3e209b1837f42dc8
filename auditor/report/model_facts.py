"""What the model is, for the card's Model details: its inputs and outputs, the decision
rule, a version, a loading snippet, a citation and the change log against a baseline.

Everything is read from ``audit.json``; nothing is invented where auditor does not know it
(a predictions-only audit has no checkpoint and no snippet).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MAX_FEATURES_SHOWN = 8


def inputs_text(audit: Mapping[str, Any]) -> str:
    """``image, 1 x 8 x 8 (channels x height x width)`` or ``91 columns after preprocessing
    (age, education-num, ... )``; what auditor knows of a predictions file."""
    data = audit["data"]
    if (audit.get("run") or {}).get("mode") == "predictions":
        return "not known to auditor: the audit read the model's predictions only"
    shape = [int(x) for x in data.get("input_shape") or []]
    if data["modality"] == "image" and len(shape) == 3:
        return f"image, {' x '.join(map(str, shape))} (channels x height x width), float32"
    names = list(data.get("feature_names") or [])
    shown = ", ".join(names[:MAX_FEATURES_SHOWN]) + (", ..." if len(names) > 8 else "")
    width = shape[0] if shape else len(names)
    return f"{width} numeric columns after preprocessing" + (f" ({shown})" if shown else "")


def outputs_text(audit: Mapping[str, Any]) -> str:
    """The classes and the decision rule (argmax; for two classes, P(positive) >= 0.5)."""
    task = audit["data"]["finetune_task"]
    classes = [str(c) for c in task["class_names"]]
    if (audit.get("run") or {}).get("mode") == "predictions":
        return f"the predicted class, one of {', '.join(classes)} (from the predictions file)"
    rule = "the predicted class is the one with the largest logit"
    if len(classes) == 2:
        rule += f", i.e. P({classes[1]}) >= 0.5 after a softmax"
    return f"{len(classes)} logits, one per class ({', '.join(classes)}); {rule}"


def version_text(audit: Mapping[str, Any]) -> str:
    """The fine-tuned checkpoint's sha256 prefix and the audit's date (a predictions-only
    audit: the predictions file's hash)."""
    checkpoints = (audit.get("model") or {}).get("checkpoints") or {}
    created = str(audit["run"]["created_at"])
    ckpt = checkpoints.get("finetuned")
    if ckpt:
        return f"checkpoint sha256 {str(ckpt['sha256'])[:12]} ({created})"
    test = (audit["data"].get("splits") or {}).get("test") or {}
    digest = str(test.get("sha256", ""))[:12]
    return f"predictions sha256 {digest} ({created})" if digest else created


def load_snippet(audit: Mapping[str, Any]) -> str | None:
    """Python that rebuilds the fine-tuned model from the run folder (None without a
    checkpoint). Checkpoints load with ``weights_only=True``."""
    ckpt = ((audit.get("model") or {}).get("checkpoints") or {}).get("finetuned")
    if not ckpt:
        return None
    data = audit["data"]
    cfg = audit["config"]["model"]
    kwargs = ", ".join(f"{k}={v!r}" for k, v in cfg.items())
    shape = tuple(int(x) for x in data.get("input_shape") or [])
    n_classes = len(data["finetune_task"]["class_names"])
    return (
        "from pathlib import Path\n\n"
        "from auditor.config import ModelConfig\n"
        "from auditor.models import build_model\n"
        "from auditor.training.checkpoints import load_checkpoint\n\n"
        f'state, meta = load_checkpoint(Path("RUN_DIR") / {ckpt["path"]!r})  # weights_only\n'
        f"model = build_model(ModelConfig({kwargs}), modality={data['modality']!r},\n"
        f"                    input_shape={shape!r}, n_classes={n_classes})\n"
        "model.load_state_dict(state)\n"
        f"model.eval()  # input: float tensor (batch, {', '.join(map(str, shape))}); "
        "output: logits"
    )


# LaTeX's special characters as BibTeX text: an unbalanced brace ends the field early.
_BIB = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "%": r"\%", "&": r"\&", "$": r"\$",
        "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}  # fmt: skip


def _bib(text: str) -> str:
    """``text`` as the value of a BibTeX field: one line, LaTeX specials escaped."""
    return "".join(_BIB.get(ch, ch) for ch in " ".join(str(text).split()))


def citation(audit: Mapping[str, Any], *, name: str, owners: str | None) -> str:
    """A BibTeX entry for the model card (authors: the declared owners); the name and the
    owners are escaped (a ``}`` in a run name ended the title early)."""
    year = str(audit["run"]["created_at"])[:4]
    key = "".join(ch if ch.isascii() and ch.isalnum() else "_" for ch in name)[:40] or "model"
    author = _bib(owners) if owners and owners.strip() else "{not declared}"
    return (
        f"@misc{{{key}_{year},\n"
        f"  title  = {{Model card: {_bib(name)}}},\n"
        f"  author = {{{author}}},\n"
        f"  year   = {{{year}}},\n"
        f"  note   = {{Audited with auditor {audit['tool']['version']}, "
        f"{version_text(audit)}}}\n}}"
    )


def change_log(audit: Mapping[str, Any]) -> list[str]:
    """What changed against the baseline audit (``--baseline``): one line per finding kind
    and one per gate that got worse or was fixed; empty without a baseline."""
    gates = audit.get("gates") or {}
    base = gates.get("baseline") if gates.get("status") == "ok" else None
    if not base:
        return []
    f = base["findings"]
    lines = [
        f"Against {base['run_name']} ({base['created_at']}): {f['worse']} worse, "
        f"{f['fixed']} fixed, {f['unchanged']} unchanged, {f['new']} new "
        f"(tolerance {base['tolerance']:g})."
    ]
    for r in gates["results"]:
        info = r.get("baseline")
        if info and info["finding"] in ("worse", "fixed"):
            lines.append(f"{info['finding']}: {r['name']}: {r['message']}")
    return lines
