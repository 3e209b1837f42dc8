"""A supplied model (auditor did not train it) and its evaluation rows: loaded from its file
(``[model] kind = "checkpoint" | "sklearn"``) or given from Python, read as logits (PyTorch)
or through ``predict_proba`` (scikit-learn and the like), with the trainer of its reference
models (:func:`load_supplied`), and its ``model`` section of ``audit.json``
(:func:`model_info`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from auditor.api._frame import check_model_inputs
from auditor.config import AuditConfig
from auditor.errors import AuditorInputError

if TYPE_CHECKING:
    from auditor.data.supplied import SuppliedRows
    from auditor.models.supplied import SuppliedModel

PYTHON_KIND = "model.kind = 'python' is an object given to auditor.audit_model(model, ...)"
WRONG_INPUTS = (
    "{name} was fitted on {width} input columns (n_features_in_, without their names) but "
    "the rows give {n} ({columns}): name its columns, in its order, in features"
)


def _sklearn_model(estimator: Any, config: AuditConfig, frames: dict | None, device: Any,
                   files: dict[str, str]) -> tuple[SuppliedModel, SuppliedRows]:  # fmt: skip
    """An estimator (or any predict_proba object) and its rows."""
    from auditor.data.supplied import supplied_rows
    from auditor.models.columns import sorted_columns
    from auditor.models.supplied import (
        ProbaModule,
        SuppliedModel,
        no_predict_proba,
        sklearn_trainer,  # fmt: skip
        user_trainer,
    )

    if not hasattr(estimator, "predict_proba"):
        path = config.model.path if config.model.kind == "sklearn" else None
        raise AuditorInputError(no_predict_proba(estimator), source=path and str(path),
                                field="model.path" if path else "model")  # fmt: skip
    names = getattr(estimator, "feature_names_in_", None)
    fitted = None if names is None else [str(n) for n in names]
    check_model_inputs(config.data, fitted, name=type(estimator).__name__)
    classes = getattr(estimator, "classes_", None)
    rows = supplied_rows(
        config.data, frames=frames, columns=None if names is None else list(names),
        labels=None if classes is None else list(classes), as_frame=names is not None,
        numeric_only=names is None,  # fitted without column names: it takes numbers only
    )  # fmt: skip
    _check_width(estimator, rows.codec.columns, names_known=names is not None)
    decode = rows.codec.decode
    # its predict_proba's columns: its classes_ order, else the classes sorted (sorted_columns)
    columns = rows.outputs if classes is not None else sorted_columns(rows.labels)
    if config.model.train:  # y: indices into its classes, as its columns are
        trainer = user_trainer(config.model.train, decode, device, n_classes=len(rows.labels),
                               columns=columns)  # fmt: skip
        recipe = config.model.train
    elif _is_sklearn(estimator):
        trainer = sklearn_trainer(estimator, decode, rows.labels)
        recipe = f"sklearn.base.clone({type(estimator).__name__}).fit, random_state per model"
    else:
        trainer, recipe = None, ""
    model = SuppliedModel(
        kind=config.model.kind, module=ProbaModule(estimator, decode, columns),
        n_classes=len(rows.labels), architecture=type(estimator).__name__,
        differentiable=False, n_parameters=None, source_files=files,
        train_reference=trainer, reference_recipe=recipe,
    )  # fmt: skip
    return model, rows


def _torch_model(module: Any, config: AuditConfig, frames: dict | None, device: Any,
                 files: dict[str, str]) -> tuple[SuppliedModel, SuppliedRows]:  # fmt: skip
    """A PyTorch module (given, or built by the factory and loaded from the checkpoint)."""
    from auditor.data.supplied import supplied_rows
    from auditor.models import count_parameters
    from auditor.models.columns import read_order, sorted_columns
    from auditor.models.outputs import architecture, has_gradients, read_as_logits
    from auditor.models.supplied import SuppliedModel, load_checkpoint_model, user_trainer
    from auditor.models.takes import check_takes_rows

    check_model_inputs(config.data, None, name=type(module).__name__)
    # the outputs' classes in order: model.classes (a checkpoint), or a module's classes_
    known = config.model.classes if module is None else getattr(module, "classes_", None)
    # a tensor (a buffer saved with the weights) or an array: its labels as Python values
    labels = None if known is None else known.tolist() if hasattr(known, "tolist") else known
    rows = supplied_rows(config.data, frames=frames, as_frame=False, numeric_only=True,
                         labels=None if labels is None else list(labels), module=True)  # fmt: skip
    shape, k = rows.bundle.input_shape, len(rows.labels)
    if module is not None:  # from Python: one trained on other columns is named as such
        check_takes_rows(module, rows.bundle["test"].x, rows.codec.columns)
    else:
        module = load_checkpoint_model(config.model.path, factory=config.model.factory,
                                       input_shape=shape, n_classes=k,
                                       classes_given=known is not None)  # fmt: skip
    # one logit (a sigmoid's), the outputs' class order, a softmax at its end: the rows it reads
    columns = rows.outputs if labels is not None else sorted_columns(rows.labels)
    module = read_as_logits(module, rows.bundle["test"].x, n_classes=k, device=device,
                            columns=columns, one_output_columns=rows.outputs)  # fmt: skip
    train = config.model.train
    model = SuppliedModel(
        kind=config.model.kind, module=module.eval(), n_classes=len(rows.labels),
        architecture=architecture(module),
        differentiable=has_gradients(module, rows.bundle["test"].x),
        n_parameters=count_parameters(module), source_files=files,
        train_reference=(user_trainer(train, rows.codec.decode, device, n_classes=k,
                                      columns=read_order(module, k))  # y: its outputs'
                         if train else None),
        reference_recipe=train or "", device=device,
    )  # fmt: skip
    return model, rows


def _summary(module: Any) -> str:
    """The model as its library prints it: a module's layers, an estimator's steps and
    parameters (not the wrapper auditor calls it through)."""
    from auditor.models.supplied import ProbaModule

    return repr(module.estimator) if isinstance(module, ProbaModule) else str(module)


def _check_width(estimator: Any, columns: tuple[str, ...], *, names_known: bool) -> None:
    """An estimator fitted on a matrix (no column names) takes ``n_features_in_`` columns:
    the rows' input columns must be as many (else it raises on the first rows)."""
    width = getattr(estimator, "n_features_in_", None)
    if names_known or not isinstance(width, int) or width == len(columns):
        return
    shown = ", ".join(columns[:12]) + (", ..." if len(columns) > 12 else "")
    raise AuditorInputError(WRONG_INPUTS.format(name=type(estimator).__name__, width=width,
                                                n=len(columns), columns=shown),
                            field="data.features")  # fmt: skip


def _is_sklearn(obj: Any) -> bool:
    return type(obj).__module__.split(".")[0] == "sklearn"


def load_supplied(
    config: AuditConfig, *, model: Any = None, frames: dict | None = None
) -> tuple[SuppliedModel, SuppliedRows]:
    """The supplied model of ``config`` (or the object ``model``) and its rows."""
    from torch import nn

    from auditor.models.files import load_skops
    from auditor.provenance import sha256_file
    from auditor.training import resolve_device

    device = resolve_device(config.device)
    path = config.model.path
    files = {path.name: sha256_file(path)} if path is not None and path.is_file() else {}
    kind = config.model.kind
    if kind == "python" and model is None:
        raise AuditorInputError(PYTHON_KIND, field="model.kind")
    if kind == "sklearn":
        model = load_skops(path)
    if kind == "checkpoint" or isinstance(model, nn.Module):
        return _torch_model(model, config, frames, device, files)
    return _sklearn_model(model, config, frames, device, files)


def model_info(model: SuppliedModel, config: AuditConfig) -> dict[str, Any]:
    path = config.model.path
    sha = model.source_files.get(path.name) if path is not None else None
    files = {"supplied": {"path": str(path), "sha256": sha}} if sha else {}
    return {
        "architecture": f"{model.architecture} (supplied: {model.kind}; not trained by auditor)",
        "parameters": model.n_parameters or 0, "trainable_parameters_finetune": 0,
        "feature_dim": 0, "summary": _summary(model.module)[:4000], "checkpoints": files,
    }  # fmt: skip
