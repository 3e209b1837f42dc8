"""Training throughput: the seed's loop against auditor's, same CNN, same data, one run.

The seed's loop (PyTorch's MNIST example): a Dataset that converts each image with a
per-item transform (PIL -> ToTensor -> Normalize), a DataLoader with batch 64, and for
fine-tuning a full forward pass through the frozen backbone at every step. auditor's loop:
tensors held in memory, one permutation per epoch, and for fine-tuning the frozen backbone's
features computed once. Same model class, optimizer, batch size, epochs and seed.

    python bench/bench_training.py [--epochs 10] [--repeats 1]

Prints samples/s for both, their ratio, and both test accuracies: pretraining at the seed's
batch (64) and at auditor's default (128), fine-tuning, and the whole recipe.
"""

from __future__ import annotations

import argparse
import copy
import time

import numpy as np
import torch
from PIL import Image
from torch import nn
from torch.utils.data import DataLoader, Dataset
from torchvision import transforms

from auditor.config import DigitsData, FinetuneConfig, PretrainConfig
from auditor.data import load_bundle
from auditor.models import SeedCNN, replace_head
from auditor.seeding import Rngs
from auditor.training import finetune, predict_logits, pretrain

CPU = torch.device("cpu")


class SeedDataset(Dataset):
    """uint8 images (n, 8, 8) and labels; each item goes through the transform on access."""

    def __init__(self, images: np.ndarray, labels: np.ndarray):
        self.images, self.labels = images, labels
        self.transform = transforms.Compose(
            [transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))]
        )

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, i: int):
        return self.transform(Image.fromarray(self.images[i], mode="L")), int(self.labels[i])


def seed_loop(model: nn.Module, params, loader: DataLoader, epochs: int, lr: float) -> float:
    opt = torch.optim.Adam(params, lr=lr)
    start = time.perf_counter()
    for _ in range(epochs):
        model.train()
        for x, y in loader:
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
    return time.perf_counter() - start


def to_uint8(x: np.ndarray) -> np.ndarray:
    """Back from auditor's [-1, 1] floats to the 0-255 grey levels the seed's loader reads."""
    return np.clip(np.rint((x[:, 0] * 0.5 + 0.5) * 255), 0, 255).astype(np.uint8)


def accuracy(model, x, y) -> float:
    return float((predict_logits(model, x, device=CPU).argmax(1) == y).mean())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    torch.set_num_threads(2)
    b = load_bundle(DigitsData(), seed=args.seed)
    pre, ft, val, test = b["pretrain"], b["finetune_train"], b["val"], b["test"]
    # The seed's loader reads 8-bit images; auditor reads the same images as floats.
    pre_u8, ft_u8 = to_uint8(pre.x), to_uint8(ft.x)
    rows = []

    # --- pretraining (10 digits), full model -------------------------------------------
    torch.manual_seed(args.seed)
    seed_model = SeedCNN((1, 8, 8), 10)
    init = copy.deepcopy(seed_model.state_dict())
    g = torch.Generator().manual_seed(args.seed)
    loader = DataLoader(
        SeedDataset(pre_u8, pre.y_pretrain), batch_size=64, shuffle=True, generator=g
    )
    t_seed = seed_loop(seed_model, seed_model.parameters(), loader, args.epochs, 1e-3)
    n = len(pre) * args.epochs
    seed_pre_time, seed_pre_acc = t_seed, accuracy(seed_model, test.x, test.y_pretrain)
    default = PretrainConfig()
    variants = {}
    # batch 64 / lr 1e-3: the seed's own batch; then auditor's defaults (batch 128, lr 2e-3).
    for label, bs, lr in (
        ("batch 64", 64, 1e-3),
        ("auditor default", default.batch_size, default.lr),
    ):
        model = SeedCNN((1, 8, 8), 10)
        model.load_state_dict(init)
        # patience > epochs: no early stop, so both loops run the same number of epochs
        cfg = PretrainConfig(epochs=args.epochs, batch_size=bs, lr=lr, patience=args.epochs + 1)
        t0 = time.perf_counter()
        model, _, _ = pretrain(
            model, x=pre.x, y=pre.y_pretrain, x_val=val.x, y_val=val.y_pretrain, config=cfg,
            rngs=Rngs(args.seed), device=CPU, progress=False,
        )  # fmt: skip
        variants[label] = (model, time.perf_counter() - t0)
        rows.append((f"pretrain, {label} (bs {bs})", n / t_seed, n / variants[label][1],
                     seed_pre_acc, accuracy(model, test.x, test.y_pretrain)))  # fmt: skip
    ours, t_ours_pre = variants["auditor default"]

    # --- fine-tuning (binary head on the frozen backbone) --------------------------------
    base = copy.deepcopy(ours)
    seed_ft = replace_head(copy.deepcopy(base), 2, rngs=Rngs(args.seed))
    for p in seed_ft.backbone.parameters():
        p.requires_grad_(False)
    loader = DataLoader(SeedDataset(ft_u8, ft.y), batch_size=64, shuffle=True, generator=g)
    ft_epochs = args.epochs * 3
    t_seed = seed_loop(seed_ft, seed_ft.head.parameters(), loader, ft_epochs, 3e-3)
    t0 = time.perf_counter()
    ours_ft, _ = finetune(
        base, x=ft.x, y=ft.y, x_val=val.x, y_val=val.y, n_classes=2,
        config=FinetuneConfig(epochs=ft_epochs, batch_size=64, lr=3e-3, patience=ft_epochs + 1),
        rngs=Rngs(args.seed), device=CPU, progress=False,
    )  # fmt: skip
    t_ours = time.perf_counter() - t0
    n = len(ft) * ft_epochs
    rows.append(("fine-tune, head on frozen backbone", n / t_seed, n / t_ours,
                 accuracy(seed_ft, test.x, test.y), accuracy(ours_ft, test.x, test.y)))  # fmt: skip
    n_all = len(pre) * args.epochs + len(ft) * ft_epochs
    rows.append(("whole recipe (default, fine-tuned acc.)", n_all / (seed_pre_time + t_seed),
                 n_all / (t_ours_pre + t_ours), rows[-1][3], rows[-1][4]))  # fmt: skip

    print(f"digits, {args.epochs} pretraining epochs, batch 64, {torch.get_num_threads()} threads")
    print(
        f"{'stage':40} {'seed samples/s':>15} {'auditor samples/s':>18} {'ratio':>7} "
        f"{'seed acc':>9} {'auditor acc':>12}"
    )
    for name, s, o, acc_s, acc_o in rows:
        print(f"{name:40} {s:15.0f} {o:18.0f} {o / s:6.1f}x {acc_s:9.3f} {acc_o:12.3f}")


if __name__ == "__main__":
    main()
