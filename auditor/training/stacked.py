"""K small tails (Linear / activation / dropout / flatten, then the head) trained at once as
one stacked model: every weight gets a leading model axis (K, ...), a Linear is one batched
matmul, and one step trains all K on their own minibatches.

Each model keeps its own recipe and streams, as if it trained alone with
:func:`auditor.training.fit`: its initialisation (the tails come in initialised), its
minibatch order (``train/finetune/shuffle``: the same permutations as
:class:`~auditor.training.loop.IndexBatches`), its dropout masks (``train/finetune/dropout``,
here a numpy SFC64 stream seeded from that name, 16 random bits a decision: 15-30x cheaper
than torch's bernoulli, which was half the time of a reference fine-tune; other masks than
torch's, the same distribution), Adam elementwise (K separate Adams, each with
its own step count), and early stopping with :class:`~auditor.training.loop.EarlyStopping`'s
rule (a stopped model keeps its best weights and leaves the stack; the loop ends when all
have stopped). Models may have different row counts (complementary halves of an odd pool):
their batches are padded and the padding weighs nothing; a model without a batch in a step
does not step.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import torch
from torch import nn

from auditor.training.loop import TRAIN_THREADS, fixed_threads
from auditor.training.split import Tail

if TYPE_CHECKING:
    from auditor.config import FinetuneConfig
    from auditor.seeding import PrefixedRngs, Rngs

ELEMENTWISE = (nn.ReLU, nn.LeakyReLU, nn.Tanh, nn.Sigmoid, nn.GELU, nn.ELU, nn.SiLU, nn.Identity)
BETAS, EPS = (0.9, 0.999), 1e-8  # torch.optim.Adam's defaults, as auditor's adam() uses
# Rows of one evaluation pass (validation, predictions) for all stacked models at once.
EVAL_ROWS = 2048


def _leaves(tail: nn.Module) -> list[nn.Module]:
    """The chain of modules of a tail (nested ``nn.Sequential`` flattened), input to output."""
    if isinstance(tail, Tail):
        return _leaves(tail.layers) + [tail.head]
    if isinstance(tail, nn.Sequential):
        return [leaf for m in tail for leaf in _leaves(m)]
    return [tail]


@torch.no_grad()
def stackable(tail: nn.Module, z_row: torch.Tensor) -> bool:
    """Whether :func:`fit_stacked` can train ``tail``: a chain of Linear (with bias, every
    parameter trainable), elementwise activations, Dropout, Dropout2d (on (C, H, W) rows) and
    Flatten(1, -1). ``z_row``: one row of its input (1, ...)."""
    x = z_row
    for m in _leaves(tail):
        ok = isinstance(m, (nn.Linear, nn.Dropout, *ELEMENTWISE)) or (
            isinstance(m, nn.Dropout2d) and x.dim() == 4
        ) or (isinstance(m, nn.Flatten) and m.start_dim == 1 and m.end_dim == -1)  # fmt: skip
        params = list(m.parameters())
        if not ok or any(True for _ in m.buffers()) or not all(p.requires_grad for p in params):
            return False
        if isinstance(m, nn.Linear) and m.bias is None:
            return False
        x = m.eval()(x) if not isinstance(m, (nn.Dropout, nn.Dropout2d)) else x
    return True


@dataclass(frozen=True)
class StackedFit:
    """What :func:`fit_stacked` did: logits (K, n_eval, n_classes) float32 on the evaluation
    rows with each model's best weights, the epochs each ran, and the wall-clock seconds."""

    logits: np.ndarray
    epochs_run: list[int]
    seconds: float


class _Stack:
    """The tails' parameters as one (A, P) tensor, a model a row (each model's parameters
    flattened in the chain's order), and the chain that runs them."""

    def __init__(self, tails: list[nn.Module]) -> None:
        chains = [_leaves(t) for t in tails]
        self.ops: list[tuple[str, object]] = []
        self.shapes: list[tuple[int, ...]] = []  # (in, out) weights, then (1, out) biases
        rows: list[list[torch.Tensor]] = [[] for _ in tails]
        for layer in zip(*chains, strict=True):
            m = layer[0]
            if isinstance(m, nn.Linear):
                self.ops.append(("linear", len(self.shapes)))
                self.shapes += [(m.in_features, m.out_features), (1, m.out_features)]
                for row, lin in zip(rows, layer, strict=True):
                    row += [lin.weight.detach().t().flatten(), lin.bias.detach().flatten()]
            elif isinstance(m, (nn.Dropout, nn.Dropout2d)):
                self.ops.append(("dropout2d" if isinstance(m, nn.Dropout2d) else "dropout", m.p))
            elif isinstance(m, nn.Flatten):
                self.ops.append(("flatten", None))
            else:
                self.ops.append(("elementwise", m))
        self.flat = torch.stack([torch.cat(r) for r in rows]).requires_grad_(True)

    def params(self) -> list[torch.Tensor]:
        """Views (A, *shape) of the flat parameters, in the order of ``shapes``."""
        out, at = [], 0
        for shape in self.shapes:
            size = math.prod(shape)
            out.append(self.flat[:, at : at + size].view(-1, *shape))
            at += size
        return out

    def dropout_shapes(self, z_row: torch.Tensor) -> list[tuple[float, tuple[int, ...]]]:
        """(p, mask shape of one row) of each dropout op, on one input row (1, ...): the row's
        shape for Dropout, (C, 1, ...) for Dropout2d (one decision per channel)."""
        out, x, params = [], z_row[None], self.params()
        with torch.no_grad():
            for kind, arg in self.ops:
                if kind == "dropout":
                    out.append((float(arg), tuple(x.shape[2:])))
                elif kind == "dropout2d":
                    out.append((float(arg), (x.shape[2],) + (1,) * (x.dim() - 3)))
                x = self._op(kind, arg, x, None, params)
        return out

    @staticmethod
    def _op(
        kind: str, arg: object, x: torch.Tensor, mask: torch.Tensor | None,
        params: list[torch.Tensor],
    ) -> torch.Tensor:  # fmt: skip
        if kind == "linear":
            w, b = params[arg], params[arg + 1]  # type: ignore[operator]
            if x.shape[0] != w.shape[0]:
                x = x.expand(w.shape[0], *x.shape[1:])
            return torch.baddbmm(b, x, w)
        if kind == "flatten":
            return x.flatten(2)
        if kind == "elementwise":
            return arg(x)  # type: ignore[operator]
        return x if mask is None else x * mask

    def forward(self, x: torch.Tensor, masks: list[torch.Tensor] | None = None) -> torch.Tensor:
        """x: (A, B, ...) or (1, B, ...) shared by all; masks: one per dropout op (None: eval)."""
        it, params = (iter(masks) if masks is not None else None), self.params()
        for kind, arg in self.ops:
            mask = next(it) if it is not None and kind.startswith("dropout") else None
            x = self._op(kind, arg, x, mask, params)
        return x

    def select(self, keep: torch.Tensor) -> None:
        """Keep the models ``keep`` (indices into the current stack)."""
        self.flat = self.flat.detach()[keep].clone().requires_grad_(True)


@torch.no_grad()
def _eval_logits(stack: _Stack, z: torch.Tensor) -> torch.Tensor:
    """(A, n, n_classes) logits of every stacked model on the shared rows ``z`` (n, ...)."""
    parts = [stack.forward(z[i : i + EVAL_ROWS][None]) for i in range(0, len(z), EVAL_ROWS)]
    return torch.cat(parts, dim=1)


def _val_losses(stack: _Stack, z_val: torch.Tensor, y_val: torch.Tensor) -> list[float]:
    logits = _eval_logits(stack, z_val)
    y = y_val.expand(logits.shape[0], -1)
    ce = nn.functional.cross_entropy(logits.transpose(1, 2), y, reduction="none")
    return [float(v) for v in ce.mean(1)]


class _Adam:
    """Adam over the stacked parameters (A, P): each model's row steps as its own torch Adam
    would (``lr``, betas (0.9, 0.999), eps 1e-8), with its own step count; ``active`` (A,)
    bool says which models step."""

    def __init__(self, stack: _Stack, lr: float) -> None:
        self.stack, self.lr = stack, lr
        self.steps = [0] * len(stack.flat)
        self.m, self.v = torch.zeros_like(stack.flat), torch.zeros_like(stack.flat)

    def select(self, keep: torch.Tensor) -> None:
        self.steps = [self.steps[a] for a in keep.tolist()]
        self.m, self.v = self.m[keep], self.v[keep]

    @torch.no_grad()
    def step(self, g: torch.Tensor, active: torch.Tensor) -> None:
        b1, b2 = BETAS
        p, m, v = self.stack.flat, self.m, self.v
        on = active.tolist()
        self.steps = [t + 1 if a else t for t, a in zip(self.steps, on, strict=True)]
        if all(on) and len(set(self.steps)) == 1:  # in place, as torch's Adam, one step count
            t = self.steps[0]
            m.lerp_(g, 1 - b1)
            v.mul_(b2).addcmul_(g, g, value=1 - b2)
            denom = (v.sqrt() / math.sqrt(1 - b2**t)).add_(EPS)
            p.sub_(m.div(denom).mul_(self.lr / (1 - b1**t)))
            return
        t = torch.tensor([max(t, 1) for t in self.steps], dtype=torch.float64)
        step_size = (self.lr / (1 - b1**t)).float().to(p.device)[:, None]
        bc2_sqrt = torch.sqrt(1 - b2**t).float().to(p.device)[:, None]
        mask = active.to(p.device)[:, None]  # the models without a batch this step stay as they are
        new_m = m.lerp(g, 1 - b1)
        new_v = v.mul(b2).addcmul_(g, g, value=1 - b2)
        new_p = p - new_m.div((new_v.sqrt() / bc2_sqrt).add_(EPS)).mul_(step_size)
        p.copy_(torch.where(mask, new_p, p))
        m.copy_(torch.where(mask, new_m, m))
        v.copy_(torch.where(mask, new_v, v))


@dataclass
class _Stopper:
    """One model's early stopping, :class:`~auditor.training.loop.EarlyStopping`'s rule."""

    patience: int
    best_loss: float = math.inf
    waited: int = 0
    epochs_run: int = 0
    best: torch.Tensor | None = None

    def stop_after(self, epoch: int, val_loss: float, state: Callable[[], torch.Tensor]) -> bool:
        self.epochs_run = epoch
        if val_loss < self.best_loss - 1e-6:
            self.best_loss, self.waited, self.best = val_loss, 0, state()
            return False
        self.waited += 1
        return self.waited >= self.patience


def _state(stack: _Stack, a: int) -> torch.Tensor:
    return stack.flat[a].detach().clone()


def _dropout_keeps(
    gens: list[np.random.BitGenerator], counts: list[int], n_max: int, p: float, shape: tuple,
    out: np.ndarray | None = None,
) -> torch.Tensor | None:  # fmt: skip
    """The epoch's dropout masks of one op, (A, n_max, *shape) float: 0 or 1 / (1 - p) per
    decision (row by row in the model's minibatch order), 0 on padding; None when p = 0.
    Each model draws ``count * prod(shape)`` 16-bit numbers from its own stream: a unit is
    dropped with probability p rounded to a multiple of 2**-16 (exact for 0.5, 0.25, ...).
    ``out``: a float32 buffer of at least A * n_max * prod(shape) values, reused from epoch
    to epoch (a fresh 30 MB array a epoch costs its page faults); the masks are a view of it."""
    if p == 0:
        return None
    d = math.prod(shape)
    size = len(gens) * n_max * d
    keep = (np.empty(size, np.float32) if out is None else out[:size]).reshape(len(gens), -1)
    threshold = round(p * 2**16)
    scale = np.float32(1.0 / (1.0 - p)) if threshold < 2**16 else np.float32(0.0)
    for a, (gen, n) in enumerate(zip(gens, counts, strict=True)):
        words = gen.random_raw((n * d + 3) // 4).view(np.uint16)[: n * d]
        np.multiply(words >= threshold, scale, out=keep[a, : n * d])
        keep[a, n * d :] = 0.0
    return torch.from_numpy(keep).view(len(gens), n_max, *shape)


def _train_epoch(
    stack: _Stack, adam: _Adam, data: tuple[torch.Tensor, torch.Tensor], rows: list[torch.Tensor],
    shuffles: list[torch.Generator], drops: list[np.random.BitGenerator],
    dropouts: list[tuple[float, tuple]], batch_size: int, buffers: list[np.ndarray],
) -> None:  # fmt: skip
    """One epoch of every stacked model on its own rows (indices into ``data`` = (z, y)),
    in the order of its own permutation, ``batch_size`` rows a step; ``buffers``: one per
    dropout op for its masks (:func:`_dropout_keeps`)."""
    z, y = data
    orders = [r[torch.randperm(len(r), generator=g)] for r, g in zip(rows, shuffles, strict=True)]
    counts = [len(o) for o in orders]
    n_max = max(counts)
    order = torch.full((len(orders), n_max), -1, dtype=torch.long)
    for a, o in enumerate(orders):
        order[a, : len(o)] = o
    keeps = [_dropout_keeps(drops, counts, n_max, p, shape, out)
             for (p, shape), out in zip(dropouts, buffers, strict=True)]  # fmt: skip
    for s in range(0, n_max, batch_size):
        part = order[:, s : s + batch_size]
        valid = part >= 0
        n_rows = valid.sum(1)
        weight = (valid / n_rows.clamp(min=1)[:, None]).to(z.device)  # each model's mean
        idx = part.clamp(min=0).flatten().to(z.device)
        masks = [None if k is None else k[:, s : s + batch_size].to(z.device) for k in keeps]
        x = z.index_select(0, idx).view(*part.shape, *z.shape[1:])
        logits = stack.forward(x, masks)
        ce = nn.functional.cross_entropy(
            logits.flatten(0, 1), y.index_select(0, idx), reduction="none"
        ).view_as(weight)
        (grad,) = torch.autograd.grad((ce * weight).sum(), [stack.flat])
        adam.step(grad, n_rows > 0)


def fit_stacked(
    tails: list[nn.Module],
    *,
    z: torch.Tensor,
    y: torch.Tensor,
    members: list[np.ndarray],
    z_val: torch.Tensor,
    y_val: torch.Tensor,
    z_eval: torch.Tensor,
    config: FinetuneConfig,
    rngs: list[Rngs | PrefixedRngs],
    threads: int | None = TRAIN_THREADS,
) -> StackedFit:
    """Train K initialised ``tails`` (each :func:`stackable`, same structure) at once.

    z, y: the shared inputs (n, ...) and labels (n,); members: K index arrays into them, each
    model's training rows; z_val, y_val: the validation rows (early stopping, as
    :func:`~auditor.training.fit` reads ``val_metrics()['loss']``); z_eval: the rows to
    predict; config: epochs, batch size, lr, patience; rngs: each model's streams (e.g.
    ``Rngs(seed).child("privacy/reference/3")``). Runs on ``threads`` torch threads; None:
    as set by the caller (several stacks in Python threads at once: torch's count is global,
    so the caller fixes it around all of them)."""
    start = time.perf_counter()
    with fixed_threads(threads) if threads is not None else contextlib.nullcontext():
        stack, k = _Stack(tails), len(tails)
        dropouts = stack.dropout_shapes(z[:1])
        rows = [torch.as_tensor(m, dtype=torch.long) for m in members]
        shuffles = [r.torch("train/finetune/shuffle") for r in rngs]
        drops = [np.random.SFC64(r.integer("train/finetune/dropout")) for r in rngs]
        stoppers, ids = [_Stopper(config.patience) for _ in range(k)], list(range(k))
        n_max = max(len(r) for r in rows)
        buffers = [np.empty(k * n_max * math.prod(shape), np.float32) for _, shape in dropouts]
        adam, last = _Adam(stack, config.lr), [None] * k
        for epoch in range(1, config.epochs + 1):
            _train_epoch(stack, adam, (z, y), [rows[j] for j in ids], [shuffles[j] for j in ids],
                         [drops[j] for j in ids], dropouts, config.batch_size,
                         buffers)  # fmt: skip
            with torch.no_grad():
                losses = _val_losses(stack, z_val, y_val)
            done = [
                a
                for a, j in enumerate(ids)
                if stoppers[j].stop_after(epoch, losses[a], lambda a=a: _state(stack, a))
            ]
            for a in done if epoch < config.epochs else range(len(ids)):
                last[ids[a]] = _state(stack, a)
            if len(done) == len(ids):
                break
            if done:
                keep = torch.as_tensor([a for a in range(len(ids)) if a not in done])
                stack.select(keep)
                adam.select(keep)
                ids = [ids[a] for a in keep.tolist()]
        final = [s.best if s.best is not None else last[j] for j, s in enumerate(stoppers)]
        stack.flat = torch.stack(final)
        logits = _eval_logits(stack, z_eval).cpu().numpy().astype(np.float32)
    return StackedFit(logits, [s.epochs_run for s in stoppers], time.perf_counter() - start)
