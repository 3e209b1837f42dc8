"""``[model]`` table: which model is audited (trained here, or trained elsewhere and read from
a file), and the keys that only one kind reads."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from auditor.config._base import StrictModel, key_error
from auditor.config.labels import ConfigLabel, same_label
from auditor.config.paths import FilePath

# Models auditor did not train: audited as they are, never retrained.
SUPPLIED_KINDS = ("checkpoint", "sklearn", "python")
NEEDS_FACTORY = "kind = '{kind}' needs factory = 'package.module:function'"
NEEDS_PATH = "kind = '{kind}' needs path = the model file ({what})"
# The MLP's widest hidden layer and deepest stack: a width of 10**11 is a typo that would ask
# the allocator for terabytes (an internal error), not a model to audit on a CPU.
MAX_WIDTH = 16_384
MAX_LAYERS = 32
MODEL_FILES = {"checkpoint": "a state dict saved with torch.save", "sklearn": "a .skops file"}
CLASSES_NEED_CHECKPOINT = "classes names a checkpoint's outputs; an estimator's are its classes_"
REPEATED_CLASS = "classes names {label!r} twice (each output is one class)"
# A key that kind = "auto" (or "cnn", "mlp", "factory") would ignore: the model is trained
# here, so a model file, its trainer or its factory would silently not be the model audited.
NOT_READ = (
    "kind = '{kind}' trains a new model here and does not read {key}; a model trained "
    "elsewhere is kind = 'checkpoint' (a state dict, with factory) or 'sklearn' (a .skops file)"
)
FACTORY_KINDS = ("factory", "checkpoint")
FACTORY_UNUSED = (
    "kind = '{kind}' reads a fitted estimator and builds no module: factory is for "
    "kind = 'checkpoint' (a state dict) or 'factory' (trained here)"
)


class ModelConfig(StrictModel):
    # "auto": the seed's CNN for images, the MLP for tables; "factory": your module, trained
    # here; "checkpoint": your trained PyTorch state dict (path) + the factory that builds
    # the module; "sklearn": your fitted scikit-learn estimator saved with skops (path);
    # "python": the object given to auditor.audit_model (recorded, not loadable from a file).
    kind: Literal["auto", "cnn", "mlp", "factory", "checkpoint", "sklearn", "python"] = "auto"
    # "package.module:function", called as function(input_shape=(F,), n_classes=K) -> nn.Module
    # (with `head` and `backbone` attributes when auditor trains it).
    factory: str | None = None
    # checkpoint / sklearn: the model file (a state dict .pt, or a .skops file).
    path: FilePath | None = None
    # checkpoint / sklearn: "package.module:function" that trains a reference model like
    # yours, called as function(x, y, *, seed) -> a model (for RMIA and LiRA); sklearn
    # without it: sklearn.base.clone(estimator).fit.
    train: str | None = None
    # checkpoint: the class of each of the module's outputs, in output order (["<=50K", ">50K"]);
    # unset: the target's values in sorted order (numbers by value), whatever positive_label.
    classes: list[ConfigLabel] | None = Field(None, min_length=2)
    # Widths of the MLP's hidden layers (kind "mlp" / "auto" on a table).
    hidden: list[Annotated[int, Field(ge=1, le=MAX_WIDTH)]] = Field(
        default_factory=lambda: [128, 64], min_length=1, max_length=MAX_LAYERS
    )  # at least one: the MLP's backbone (hidden = [] was an internal error in fine-tuning)
    dropout: float = Field(0.1, ge=0, lt=1)

    @model_validator(mode="after")
    def _factory_named(self) -> ModelConfig:
        if self.kind in FACTORY_KINDS and not self.factory:
            raise ValueError(NEEDS_FACTORY.format(kind=self.kind))
        if self.kind in MODEL_FILES and self.path is None:
            raise ValueError(NEEDS_PATH.format(kind=self.kind, what=MODEL_FILES[self.kind]))
        if self.classes is not None and self.kind != "checkpoint":
            raise ValueError(CLASSES_NEED_CHECKPOINT)
        for key in ("path", "train"):
            if getattr(self, key) is not None and self.kind not in SUPPLIED_KINDS:
                raise key_error(key, NOT_READ.format(kind=self.kind, key=key))
        if self.factory is not None and self.kind not in FACTORY_KINDS:
            here = "factory (kind = 'factory' trains it here)"
            message = (FACTORY_UNUSED.format(kind=self.kind) if self.kind in SUPPLIED_KINDS
                       else NOT_READ.format(kind=self.kind, key=here))  # fmt: skip
            raise key_error("factory", message)
        return self

    @field_validator("classes")
    @classmethod
    def _distinct_classes(cls, value: list[Any] | None) -> list[Any] | None:
        for i, label in enumerate(value or ()):
            if any(same_label(label, seen) for seen in value[:i]):
                raise ValueError(REPEATED_CLASS.format(label=label))
        return value
