"""A binary PyTorch module's one output per row (one logit, or a sigmoid's probability) is read
as the score of the positive class. One trained on the other class (its logit the score of
class 0) would be audited inverted: every metric from the other side of chance, and a
confident verdict on a model that is not the one given. audit_predictions refuses a y_score
that ranks the classes backwards (:func:`auditor.predictions.labels.check_score_class`); the
same evidence refuses such a module here, before any check runs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from auditor.errors import AuditorInputError
from auditor.predictions.labels import BACKWARDS_LEVEL
from auditor.results.score_intervals import auc_interval

if TYPE_CHECKING:
    from auditor.config import AuditConfig
    from auditor.context import AuditContext

ONE_OUTPUT_BACKWARDS = (
    "the model's one output per row ranks the classes backwards: read as the score of the "
    "positive class {positive!r}, its ROC AUC is {auc:.3f} (its {level:.1%} interval "
    "[{low:.3f}, {high:.3f}] below 0.5) over {n:,} evaluation rows; it looks like the score "
    "of {other!r}: {fix}"
)
FIX_PYTHON = (
    "return its negative (-z; 1 - p for a sigmoid's), or name the class it scores as the "
    "positive class (positive_label={other!r}); a model that does score {positive!r} and is "
    "worse than chance here is audited as one when its classes are named "
    "(model.classes_ = [{other!r}, {positive!r}], its one output's class last)"
)
FIX_FILE = (
    "return its negative from the factory's module (-z; 1 - p for a sigmoid's), or name the "
    "class of each output, the one output last ([model] classes = [{positive!r}, {other!r}]; "
    "[{other!r}, {positive!r}] audits it as a model worse than chance)"
)


def _assumed_one_output(module: object, config: AuditConfig) -> bool:
    """Whether the audited module is a binary model's one output read as two
    (:class:`~auditor.models.outputs.OneLogit`, or its sigmoid reading, under any reader)
    whose class was assumed: no ``classes_`` on the module, no ``model.classes`` (classes
    named by the user are the user's word, a model worse than chance included)."""
    from auditor.models.outputs import InDtype, LogOf, OneLogit, Reordered, user_module

    if config.model.classes is not None or hasattr(user_module(module), "classes_"):
        return False
    while isinstance(module, InDtype | Reordered | LogOf):
        module = module.inner
    return isinstance(module, OneLogit)


def check_one_output_direction(ctx: AuditContext, config: AuditConfig) -> None:
    """Refuse a supplied module with one output per row whose evaluation rows' ROC AUC,
    read as the positive class's score (class 1 of two; its class assumed, not named), lies
    wholly below 0.5 at :data:`BACKWARDS_LEVEL` (Hanley-McNeil's interval, as
    audit_predictions' rule): bad input naming the model (a checkpoint: its file), saying
    which class it seems to score and the ways to say so. Any other module, or a split with
    one true class: nothing."""
    binary = ctx.supplied is not None and ctx.supplied.n_classes == 2
    if not binary or not _assumed_one_output(ctx.finetuned, config):
        return
    from sklearn.metrics import roc_auc_score

    pred = ctx.predictions("finetuned", "test")  # cached: the performance check reads it
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
    fix = (FIX_FILE if path is not None else FIX_PYTHON).format(positive=positive,
                                                                other=negative)  # fmt: skip
    message = ONE_OUTPUT_BACKWARDS.format(positive=positive, auc=auc, level=BACKWARDS_LEVEL,
                                          low=low, high=high, n=n_pos + n_neg,
                                          other=negative, fix=fix)  # fmt: skip
    raise AuditorInputError(message, source=None if path is None else str(path),
                            field="model.path" if path is not None else "model")  # fmt: skip
