"""Training: the one epoch loop with early stopping (:mod:`.loop`), DP-SGD through Opacus
into that loop (:mod:`.dp`), the pretraining and fine-tuning stages (:mod:`.stages`), running
a trained model (:mod:`.predict`) and safe checkpoints (:mod:`.checkpoints`)."""

from auditor.training.checkpoints import load_checkpoint, save_checkpoint
from auditor.training.loop import EarlyStopping, Fitted, IndexBatches, TrainRecord, fit
from auditor.training.predict import (
    MaskedReconstruction,
    extract_features,
    masked_reconstruction,
    predict_logits,
    resolve_device,
)
from auditor.training.stages import TrainedStages, finetune, pretrain, train_stages

__all__ = [
    "EarlyStopping",
    "Fitted",
    "IndexBatches",
    "MaskedReconstruction",
    "TrainRecord",
    "TrainedStages",
    "extract_features",
    "finetune",
    "fit",
    "load_checkpoint",
    "masked_reconstruction",
    "predict_logits",
    "pretrain",
    "resolve_device",
    "save_checkpoint",
    "train_stages",
]
