import pytest
import torch
from torch import nn

from auditor.config import ModelConfig
from auditor.errors import AuditorInputError
from auditor.models import SeedCNN, TabularMLP, backbone_layers, build_model, replace_head
from auditor.seeding import Rngs


@pytest.mark.parametrize("shape", [(1, 8, 8), (1, 28, 28), (3, 12, 10)])
def test_cnn_is_input_size_aware(shape):
    model = SeedCNN(input_shape=shape, n_classes=10).eval()
    out = model(torch.randn(4, *shape))
    assert out.shape == (4, 10)
    assert model.backbone(torch.randn(2, *shape)).shape == (2, 128)


def test_cnn_28x28_matches_the_seed_layer_sizes():
    model = SeedCNN(input_shape=(1, 28, 28))
    linears = [m for m in model.backbone if isinstance(m, nn.Linear)]
    assert linears[0].in_features == 9216 and linears[0].out_features == 128


def test_cnn_returns_logits_not_log_probabilities():
    torch.manual_seed(0)
    model = SeedCNN(input_shape=(1, 8, 8)).eval()
    out = model(torch.randn(8, 1, 8, 8))
    # log_softmax output would have logsumexp == 0 in every row
    assert not torch.allclose(torch.logsumexp(out, dim=1), torch.zeros(8), atol=1e-3)


def test_cnn_dropout_kinds_fixed():
    model = SeedCNN(input_shape=(1, 8, 8))
    mods = list(model.backbone)
    flatten_at = next(i for i, m in enumerate(mods) if isinstance(m, nn.Flatten))
    # Dropout2d only on 4-D feature maps (before Flatten); plain Dropout after.
    assert all(not isinstance(m, nn.Dropout2d) for m in mods[flatten_at:])
    assert any(
        isinstance(m, nn.Dropout) and not isinstance(m, nn.Dropout2d) for m in mods[flatten_at:]
    )


def test_cnn_too_small():
    with pytest.raises(ValueError, match="at least 6x6"):
        SeedCNN(input_shape=(1, 4, 4))


def test_mlp():
    model = TabularMLP(n_features=7, n_classes=3, hidden=(16, 8))
    assert model(torch.randn(5, 7)).shape == (5, 3)
    assert model.head.in_features == 8


def test_build_model_auto():
    assert isinstance(
        build_model(ModelConfig(), modality="image", input_shape=(1, 8, 8), n_classes=10), SeedCNN
    )
    assert isinstance(
        build_model(ModelConfig(), modality="table", input_shape=(12,), n_classes=2), TabularMLP
    )


def test_cnn_on_table_is_bad_input():
    with pytest.raises(AuditorInputError, match="model.kind"):
        build_model(ModelConfig(kind="cnn"), modality="table", input_shape=(12,), n_classes=2)


def make_factory_model(*, input_shape, n_classes):
    model = nn.Module()
    model.backbone = nn.Sequential(
        nn.Flatten(), nn.Linear(int(torch.Size(input_shape).numel()), 4), nn.ReLU()
    )
    model.head = nn.Linear(4, n_classes)
    model.forward = lambda x: model.head(model.backbone(x))
    return model


def not_a_model(*, input_shape, n_classes):
    return "nope"


def test_factory():
    model = build_model(
        ModelConfig(kind="factory", factory="tests.models.test_models:make_factory_model"),
        modality="table", input_shape=(6,), n_classes=2,
    )  # fmt: skip
    assert model.head.out_features == 2


@pytest.mark.parametrize(
    ("spec", "pattern"),
    [
        ("tests.models.test_models:not_a_model", "must return"),
        ("tests.models.nowhere:fn", "cannot import"),
        ("no_colon", "is not 'package.module:function'"),
    ],
)
def test_bad_factory(spec, pattern):
    with pytest.raises(AuditorInputError, match=pattern):
        build_model(
            ModelConfig(kind="factory", factory=spec),
            modality="table",
            input_shape=(6,),
            n_classes=2,
        )


def test_replace_head_and_layers():
    model = SeedCNN(input_shape=(1, 8, 8), n_classes=10)
    old_backbone = [p.clone() for p in model.backbone.parameters()]
    replace_head(model, 2, rngs=Rngs(0))
    assert model.head.out_features == 2
    assert all(
        torch.equal(a, b) for a, b in zip(old_backbone, model.backbone.parameters(), strict=True)
    )
    assert [type(m).__name__ for m in backbone_layers(model)] == ["Conv2d", "Conv2d", "Linear"]
