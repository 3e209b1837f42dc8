"""A binary PyTorch module's one output per row (one logit, or a sigmoid's probability) is read
as the score of the positive class. One trained on the other class (its logit the score of
class 0) would be audited inverted: every metric from the other side of chance, and a
confident verdict on a model that is not the one given. audit_predictions refuses a y_score
that ranks the classes backwards (:func:`auditor.predictions.labels.check_score_class`); the
same evidence refuses such a module here, before any check runs.

A binary module with two outputs per row whose classes are unnamed is read in the classes'
sorted order (:func:`~auditor.models.columns.sorted_columns`), an order the user may not have
used (text: ``{"stay": 0, "churn": 1}`` by hand, ``pd.factorize``; numbers: {1, 2} or
{-1, 1} can't index two outputs, and 0 / 1 with the positive class 0, or booleans with
False, trained on y = label == positive): the same evidence refuses it. Only 0 and 1 (False,
True) with the positive class 1 read alike both ways: such a model worse than chance is
audited as one, so a random-weight module on 0 / 1 labels (tests, a first try) is never
refused for its draw."""

from __future__ import annotations

from typing import TYPE_CHECKING

from auditor.errors import AuditorInputError
from auditor.predictions.labels import BACKWARDS_LEVEL
from auditor.results.score_intervals import auc_interval

if TYPE_CHECKING:
    from auditor.config import AuditConfig
    from auditor.context import AuditContext

ONE_OUTPUT_BACKWARDS = (
    "the model's one output per row ranks the classes backwards: as the score of {positive!r}, "
    "its ROC AUC is {auc:.3f} ({level:.1%} interval [{low:.3f}, {high:.3f}]) over {n:,} "
    "evaluation rows; it looks like the score of {other!r}: {fix}"
)
TWO_COLUMNS_BACKWARDS = (
    "the model's two outputs per row rank the classes backwards: read in sorted order "
    "({first!r}, {second!r}; none named), the positive class {positive!r} has ROC AUC {auc:.3f} "
    "({level:.1%} interval [{low:.3f}, {high:.3f}]) over {n:,} evaluation rows; they look like "
    "{second!r}, {first!r}: name them in its order ({named}; the sorted order audits it as "
    "worse than chance)"
)
FIX_PYTHON = (
    "return -z (1 - p for a sigmoid's), or name the class it scores "
    "(positive_label={other!r}); model.classes_ = [{other!r}, {positive!r}] audits it as "
    "scoring {positive!r}, worse than chance"
)
FIX_FILE = (
    "return -z from the factory's module (1 - p for a sigmoid's), or name "
    "each output's class, the one output last ([model] classes = [{positive!r}, {other!r}]; "
    "the other order audits it as worse than chance)"
)


def _assumed_order(module: object, config: AuditConfig, classes: list[str]) -> str | None:
    """``"one"`` when the audited module is a binary model's one output read as two
    (:class:`~auditor.models.outputs.OneLogit`, or its sigmoid reading, under any reader),
    ``"two"`` when it has two outputs and ``classes`` (the audit's order, positive last) are
    other than 0, 1 (False, True), each with its class assumed:
    no ``classes_`` on the module, no ``model.classes`` (classes named by the user are the
    user's word, a model worse than chance included); else None."""
    from auditor.models.columns import class_numbers
    from auditor.models.outputs import InDtype, LogOf, OneLogit, Reordered, user_module
    from auditor.models.supplied import ProbaModule

    own = user_module(module)
    own = own.estimator if isinstance(own, ProbaModule) else own  # its classes_, if any
    if config.model.classes is not None or hasattr(own, "classes_"):
        return None
    while isinstance(module, InDtype | Reordered | LogOf):
        module = module.inner
    if isinstance(module, OneLogit):
        return "one"
    # 0 and 1 (False, True) with the positive class 1 are read alike either way a model is
    # likely to number them (the labels as indices, or y = label == positive): not assumed
    return None if class_numbers(classes) == [0.0, 1.0] else "two"


def check_one_output_direction(ctx: AuditContext, config: AuditConfig) -> None:
    """Refuse a supplied module with one output per row whose evaluation rows' ROC AUC,
    read as the positive class's score (class 1 of two; its class assumed, not named), lies
    wholly below 0.5 at :data:`BACKWARDS_LEVEL` (Hanley-McNeil's interval, as
    audit_predictions' rule): bad input naming the model (a checkpoint: its file), saying
    which class it seems to score and the ways to say so. Any other module, or a split with
    one true class: nothing."""
    binary = ctx.supplied is not None and ctx.supplied.n_classes == 2
    if not binary:
        return
    pred = ctx.predictions("finetuned", "test")  # cached: the performance check reads it
    order = _assumed_order(ctx.finetuned, config, list(pred.class_names))
    if order is None:
        return
    from sklearn.metrics import roc_auc_score

    y = pred.y_true == 1
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    if n_pos == 0 or n_neg == 0:
        return
    auc = float(roc_auc_score(y, pred.log_proba[:, 1] - pred.log_proba[:, 0]))
    low, high = auc_interval(auc, n_pos, n_neg, level=BACKWARDS_LEVEL)
    if not high < 0.5:
        return
    negative, positive = pred.class_names
    path = config.model.path if config.model.kind == "checkpoint" else None
    evidence = dict(auc=auc, level=BACKWARDS_LEVEL, low=low, high=high, n=n_pos + n_neg)
    if order == "two":
        message = _two_columns_message(_as_read((negative, positive)), positive=positive,
                                       file=path is not None, **evidence)  # fmt: skip
    else:
        fix = (FIX_FILE if path is not None else FIX_PYTHON).format(positive=positive,
                                                                    other=negative)  # fmt: skip
        message = ONE_OUTPUT_BACKWARDS.format(positive=positive, other=negative, fix=fix,
                                              **evidence)  # fmt: skip
    raise AuditorInputError(message, source=None if path is None else str(path),
                            field="model.path" if path is not None else "model")  # fmt: skip


def _as_read(classes: tuple[str, str]) -> list[str]:
    """``classes`` in the order a module that does not name them is read in: its output
    columns' (:func:`~auditor.models.columns.sorted_columns`)."""
    from auditor.models.columns import sorted_columns

    columns = sorted_columns(classes)
    return [classes[columns.index(column)] for column in range(len(classes))]


def _two_columns_message(
    columns: list[str], *, positive: str, file: bool, **evidence: object
) -> str:
    """Why a two-output module read in its classes' sorted order (``columns``) is refused,
    and the ways on: its classes named in the order its outputs seem to follow."""
    first, second = columns
    named = (f"[model] classes = [{second!r}, {first!r}]" if file
             else f"model.classes_ = [{second!r}, {first!r}]")  # fmt: skip
    return TWO_COLUMNS_BACKWARDS.format(first=first, second=second, positive=positive,
                                        named=named, **evidence)  # fmt: skip
