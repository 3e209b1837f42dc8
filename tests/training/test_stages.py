import pickle
import re

import numpy as np
import pytest
import torch

from auditor.config import FinetuneConfig, PretrainConfig
from auditor.errors import AuditorInputError
from auditor.models import SeedCNN
from auditor.seeding import Rngs
from auditor.training import (
    finetune,
    load_checkpoint,
    predict_logits,
    pretrain,
    save_checkpoint,
)
from auditor.training.checkpoints import NOT_OURS, REFUSED

CPU = torch.device("cpu")


def test_finetune_head_swap_trains_only_the_head(digits_context):
    ctx = digits_context
    assert ctx.pretrained.head.out_features == 10
    assert ctx.finetuned.head.out_features == 2
    for (name, a), b in zip(
        ctx.pretrained.backbone.state_dict().items(),
        ctx.finetuned.backbone.state_dict().values(),
        strict=True,
    ):
        assert torch.equal(a, b), f"frozen backbone changed: {name}"
    assert all(not p.requires_grad for p in ctx.finetuned.backbone.parameters())
    assert ctx.finetune_record.trainable_parameters == 128 * 2 + 2


def test_finetuned_digits_accuracy(digits_context):
    pred = digits_context.predictions("finetuned", "test")
    assert (pred.y_pred == pred.y_true).mean() >= 0.95
    pre = digits_context.predictions("pretrained", "test")
    assert pre.logits.shape[1] == 10 and (pre.y_pred == pre.y_true).mean() >= 0.9


def test_finetune_trains_with_binary_labels_not_pretraining_labels(digits_context):
    # the seed trained its 2-class head on 10-class labels; here labels must be 0/1
    b = digits_context.bundle
    assert set(np.unique(b["finetune_train"].y)) == {0, 1}


def test_unfreeze_last_trains_last_backbone_layer(digits_context):
    ctx = digits_context
    ft = ctx.bundle["finetune_train"]
    val = ctx.bundle["val"]
    model, record = finetune(
        ctx.pretrained, x=ft.x, y=ft.y, x_val=val.x, y_val=val.y, n_classes=2,
        config=FinetuneConfig(epochs=2, unfreeze_last=1), rngs=Rngs(0), device=CPU,
        progress=False,
    )  # fmt: skip
    assert "last 1" in record.frozen
    convs_equal = [
        torch.equal(a, b)
        for a, b in zip(
            ctx.pretrained.backbone[0].parameters(), model.backbone[0].parameters(), strict=True
        )
    ]
    assert all(convs_equal)
    lin_pre = [m for m in ctx.pretrained.backbone if isinstance(m, torch.nn.Linear)][0]
    lin_ft = [m for m in model.backbone if isinstance(m, torch.nn.Linear)][0]
    assert not torch.equal(lin_pre.weight, lin_ft.weight)


def test_masked_reconstruction_never_reads_labels(digits_context):
    pre = digits_context.bundle["pretrain"]
    val = digits_context.bundle["val"]
    model, record, decoder = pretrain(
        SeedCNN((1, 8, 8), 2), x=pre.x, y=None, x_val=val.x, y_val=None,
        config=PretrainConfig(objective="masked_reconstruction", epochs=2),
        rngs=Rngs(0), device=CPU, progress=False,
    )  # fmt: skip
    assert decoder is not None and record.objective == "masked_reconstruction"
    assert record.epochs_run == 2 and np.isfinite(record.best_val_loss)


def test_checkpoint_round_trip(tmp_path, digits_context):
    model = digits_context.finetuned
    path = tmp_path / "m.pt"
    save_checkpoint(path, model, meta={"stage": "finetuned", "seed": 0})
    state, meta = load_checkpoint(path)
    assert meta == {"stage": "finetuned", "seed": 0}
    clone = SeedCNN((1, 8, 8), 2)
    clone.load_state_dict(state)
    x = digits_context.bundle["test"].x[:16]
    assert np.array_equal(
        predict_logits(model, x, device=CPU), predict_logits(clone, x, device=CPU)
    )


class Payload:
    """Unpickling this would create a file: proof that code ran."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_pickled_object_is_refused_and_never_executed(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.pt"
    torch.save({"state_dict": {}, "meta": Payload(str(marker))}, path)
    with pytest.raises(AuditorInputError, match=re.escape(REFUSED)) as err:
        load_checkpoint(path)
    assert not marker.exists()
    assert str(path) in str(err.value)


# torch warns that the payload uses a newer pickle protocol before refusing it
@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
def test_plain_pickle_is_refused(tmp_path):
    path = tmp_path / "model.pkl"
    path.write_bytes(
        pickle.dumps({"state_dict": {"w": np.zeros(3)}, "x": Payload("/nonexistent/x")})
    )
    with pytest.raises(AuditorInputError):
        load_checkpoint(path)


def test_not_a_checkpoint(tmp_path):
    path = tmp_path / "x.pt"
    torch.save({"weights": torch.zeros(2)}, path)
    with pytest.raises(AuditorInputError, match=re.escape(NOT_OURS)):
        load_checkpoint(path)


def test_train_stages_sets_torchs_threads_for_the_rest_of_the_run(digits_config):
    from auditor.training import train_stages

    quick = digits_config.model_copy(
        update={"pretrain": PretrainConfig(epochs=1), "finetune": FinetuneConfig(epochs=1)}
    )
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(2)
        stages = train_stages(quick, progress=False, threads=1)
        assert torch.get_num_threads() == 1 and stages.pretrain_record.epochs_run == 1
    finally:
        torch.set_num_threads(before)


def test_load_checkpoint_names_a_loop_of_links_and_a_folder(tmp_path):
    """A loop was "no such checkpoint" (Path.is_file answers False there)."""
    from tests.builders import link_loop

    with pytest.raises(AuditorInputError, match="symbolic links"):
        load_checkpoint(link_loop(tmp_path, "a.pt"))
    with pytest.raises(AuditorInputError, match="not a checkpoint file"):
        load_checkpoint(tmp_path)
    with pytest.raises(AuditorInputError, match="no such checkpoint"):
        load_checkpoint(tmp_path / "none.pt")
