"""Running a trained model: the one masked-reconstruction error, logits and features."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from auditor.config import PretrainConfig
from auditor.errors import AuditorInputError
from auditor.models import SeedCNN
from auditor.seeding import Rngs
from auditor.training import (
    extract_features,
    masked_reconstruction,
    predict_logits,
    pretrain,
    resolve_device,
)
from auditor.training.predict import MIN_ROWS_PER_PASS, NO_CUDA, rows_per_pass

CPU = torch.device("cpu")


@pytest.fixture(scope="module")
def self_supervised(digits_context):
    pre, val = digits_context.bundle["pretrain"], digits_context.bundle["val"]
    with Rngs(0).torch_scope("model/init/pretrain"):
        model = SeedCNN((1, 8, 8), 2)
    model, _, decoder = pretrain(
        model, x=pre.x[:200], y=None, x_val=val.x, y_val=None,
        config=PretrainConfig(objective="masked_reconstruction", epochs=2), rngs=Rngs(0),
        device=CPU, progress=False,
    )  # fmt: skip
    return model, decoder, digits_context.bundle["test"].x[:50]


def test_reconstruction_error_per_row_and_pooled_agree(self_supervised):
    model, decoder, x = self_supervised

    def run(name: str):
        return masked_reconstruction(
            model, decoder, x, mask_ratio=0.3, generator=Rngs(0).torch(name), device=CPU
        )

    rec = run("eval/reconstruction_mask/test")
    assert rec.per_row.shape == (50,) and (rec.per_row >= 0).all()
    assert rec.pooled == pytest.approx(rec.squared_error.sum() / rec.masked.sum())
    assert 0.2 < rec.masked.sum() / x.size < 0.4
    same = run("eval/reconstruction_mask/test")
    assert np.array_equal(rec.per_row, same.per_row)  # the same stream, the same mask
    per_row = masked_reconstruction(
        model, decoder, x, mask_ratio=0.3,
        generator=Rngs(0).torch("eval/reconstruction_mask/test"), device=CPU,
    ).per_row  # fmt: skip
    assert np.array_equal(per_row, rec.per_row)
    assert not np.array_equal(run("eval/reconstruction_mask/pretrain").masked, rec.masked)


def test_logits_and_features_shapes(digits_context):
    x = digits_context.bundle["test"].x[:10]
    assert predict_logits(digits_context.finetuned, x, device=CPU).shape == (10, 2)
    assert extract_features(digits_context.finetuned, x, device=CPU).shape == (10, 128)
    assert predict_logits(digits_context.finetuned, x[:0], device=CPU).shape == (0, 2)


def test_cuda_without_a_device_is_an_input_error():
    if torch.cuda.is_available():
        assert resolve_device("cuda").type == "cuda"
        return
    with pytest.raises(AuditorInputError) as err:
        resolve_device("cuda")
    # no key named: the setting came from --device, device or [run] device (run.device)
    assert NO_CUDA in str(err.value) and err.value.field is None
    assert "ask for cpu, or auto" in str(err.value)  # what to do next
    assert resolve_device("auto") == CPU


def test_rows_per_pass_keeps_28x28_passes_small_and_results_equal():
    model = SeedCNN((1, 28, 28), 10).train()
    x = np.random.default_rng(0).normal(size=(300, 1, 28, 28)).astype(np.float32)
    state = torch.random.get_rng_state()
    rows = rows_per_pass(model, x)
    assert torch.equal(torch.random.get_rng_state(), state)  # eval pass: no dropout draw
    assert model.training and MIN_ROWS_PER_PASS <= rows < 128
    assert rows_per_pass(SeedCNN((1, 8, 8), 10), x[:, :, :8, :8]) > 512
    auto = predict_logits(model, x, device=CPU)
    assert np.array_equal(auto, predict_logits(model, x, device=CPU, batch_size=len(x)))


def test_rows_per_pass_of_a_module_that_takes_no_single_row():
    """Sizing a pass runs the module on one row; a module that needs a few rows ('batch size
    must be at least 4') crashed audit_model there with its traceback, though every real pass
    gives it more: the sizing falls back to the smallest pass."""
    from tests.builders import needs_batch_module

    x = np.zeros((50, 3), np.float32)
    assert rows_per_pass(needs_batch_module(), x) == MIN_ROWS_PER_PASS
