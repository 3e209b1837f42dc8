"""Are the training and evaluation splits disjoint? Every training split is compared with
every evaluation split by the sha256 of each row's input content and by source row id."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from auditor.errors import data_row
from auditor.results import dump

if TYPE_CHECKING:
    from auditor.config.transparency import TransparencyConfig
    from auditor.data import DatasetBundle

# Splits a model learns from or is selected on, and splits that measure it.
TRAINING_SPLITS = ("pretrain", "finetune_train", "val")
EVALUATION_SPLITS = ("test", "holdout")
MAX_LISTED_ROWS = 25
MAX_LISTED_IDS = 10


@dataclass(frozen=True)
class SharedRow:
    """One input found on both sides: its content hash and source row ids on each side."""

    sha256: str
    train_ids: list[int]
    eval_ids: list[int]


@dataclass(frozen=True)
class SplitPair:
    train: str
    eval: str
    n_eval_rows: int
    n_content_overlap: int
    n_id_overlap: int
    shared_ids: list[int]
    rows: list[SharedRow]


@dataclass(frozen=True)
class Disjointness:
    """status: met (nothing shared), warn (identical content under distinct source rows, in
    ``report`` mode), fail (a shared source row, or shared content in ``fail`` mode)."""

    status: Literal["met", "warn", "fail"]
    mode: Literal["fail", "report"]
    pairs: list[SplitPair]


def _pair(bundle: DatasetBundle, a: str, b: str, hashes: dict[str, list[str]]) -> SplitPair:
    index: dict[str, list[int]] = {}
    for h, rid in zip(hashes[a], bundle[a].ids.tolist(), strict=True):
        index.setdefault(h, []).append(int(rid))
    shared: dict[str, list[int]] = {}
    for h, rid in zip(hashes[b], bundle[b].ids.tolist(), strict=True):
        if h in index:
            shared.setdefault(h, []).append(int(rid))
    id_overlap = np.intersect1d(bundle[a].ids, bundle[b].ids)
    rows = [
        SharedRow(h, index[h][:MAX_LISTED_IDS], ids[:MAX_LISTED_IDS])
        for h, ids in list(shared.items())[:MAX_LISTED_ROWS]
    ]
    return SplitPair(
        train=a, eval=b, n_eval_rows=len(hashes[b]),
        n_content_overlap=sum(len(v) for v in shared.values()),
        n_id_overlap=int(len(id_overlap)),
        shared_ids=[int(i) for i in id_overlap[:MAX_LISTED_ROWS]], rows=rows,
    )  # fmt: skip


def split_overlaps(bundle: DatasetBundle, *, content_overlap: str = "auto") -> Disjointness:
    """Compare every training split with every evaluation split. ``content_overlap``:
    "fail", "report", or "auto" (fail for images, report for tables, where distinct records
    often share a feature vector). Each pair lists up to MAX_LISTED_ROWS shared inputs."""
    mode = content_overlap
    if mode == "auto":
        mode = "fail" if bundle.modality == "image" else "report"
    hashes = {n: bundle[n].row_hashes() for n in bundle.splits if len(bundle[n])}
    pairs = [
        _pair(bundle, a, b, hashes)
        for a in TRAINING_SPLITS
        for b in EVALUATION_SPLITS
        if a in hashes and b in hashes
    ]
    any_content = any(p.n_content_overlap for p in pairs)
    any_ids = any(p.n_id_overlap for p in pairs)
    if any_ids or (any_content and mode == "fail"):
        status = "fail"
    elif any_content:
        status = "warn"
    else:
        status = "met"
    return Disjointness(status=status, mode=mode, pairs=pairs)


def rows_text(bundle: DatasetBundle, ids: list[int]) -> str:
    """Source row ids as the rows a user can find: ``data rows 3, 9 of t.csv`` (counting from
    1 under the header, as :func:`auditor.errors.data_row`; a supplied model's rows name their
    own file), else ``source row ids 2, 8`` (a built-in source's rows, not a user's file)."""
    named = [bundle.row_file(i) for i in ids]
    if not ids or any(n is None for n in named):
        return f"source row id{'s' if len(ids) != 1 else ''} " + ", ".join(map(str, ids))
    by_file: dict[str, list[str]] = {}
    for name, row in (n for n in named if n is not None):
        by_file.setdefault(name, []).append(data_row(row).removeprefix("data row "))
    return "; ".join(
        f"data row{'s' if len(rows) > 1 else ''} {', '.join(rows)} of {name}"
        for name, rows in by_file.items()
    )


# A supplied model's splits are the user's files (auditor.data.supplied.ROLES), in their words.
SUPPLIED_ROLES = {"test": "evaluation rows", "finetune_train": "members",
                  "holdout": "non-members"}  # fmt: skip


def split_text(bundle: DatasetBundle, name: str, *, supplied: bool) -> str:
    """A split as its user knows it: a supplied model's by its file and role
    (``train.csv (members)``), else auditor's split name (``finetune_train``)."""
    split = bundle.splits[name]
    where = bundle.row_file(int(split.ids[0])) if supplied and len(split) else None
    return f"{where[0]} ({SUPPLIED_ROLES[name]})" if where and name in SUPPLIED_ROLES else name


def disjointness_item(
    bundle: DatasetBundle, cfg: TransparencyConfig, *, supplied: bool = False
) -> tuple[str, str, dict | None]:
    """(status, evidence, details) of the checklist item ``split_disjointness``; ``supplied``:
    the rows came with a model trained elsewhere (the splits are named by their files)."""
    result = split_overlaps(bundle, content_overlap=cfg.content_overlap)
    bad = [p for p in result.pairs if p.n_content_overlap or p.n_id_overlap]
    details = dump(result)
    if not bad:
        n_pairs = len(result.pairs)
        return "met", f"no shared input between {n_pairs} training/evaluation split pairs", details
    parts = []
    for p in bad:
        ids = [r.eval_ids[0] for r in p.rows[:5]] or p.shared_ids[:5]
        train, test = (split_text(bundle, s, supplied=supplied) for s in (p.train, p.eval))
        rows = rows_text(bundle, ids) if supplied else f"{p.eval}: {rows_text(bundle, ids)}"
        parts.append(f"{test} shares {p.n_content_overlap} of {p.n_eval_rows} inputs with "
                     f"{train} ({p.n_id_overlap} by source row id; {rows})")  # fmt: skip
    text = "; ".join(parts)
    if result.status == "warn":
        text += (
            " — identical feature vectors under distinct source rows: metrics on those rows are "
            "not held out in content; reported, not failed, as transparency.content_overlap = "
            "'report' says"  # last: a cut line (gates, terminal) keeps its end
        )
    return result.status, text, details
