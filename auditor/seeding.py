"""Named, independent random streams from one seed.

Every random draw in a run comes from a stream named after what it is for
(``rngs.numpy("bootstrap/sex")``, ``rngs.torch("train/pretrain/shuffle")``), derived from
the run's one seed with :class:`numpy.random.SeedSequence`. Two streams with different
names are independent; the same name always gives the same stream, so the result of a
check does not depend on which checks ran before it. Nothing here, or anywhere else,
reseeds the global generators after start-up: code that must use torch's global generator
(module initialisation, dropout) runs inside :meth:`Rngs.torch_scope`, which forks it and
restores it on exit.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

MAX_SEED = 2**63 - 1


def _name_key(name: str) -> tuple[int, ...]:
    """A stable spawn key for ``name`` (sha256, not Python's salted ``hash``)."""
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return tuple(int.from_bytes(digest[i : i + 4], "little") for i in range(0, 16, 4))


@dataclass(frozen=True)
class Rngs:
    """The run's random streams. ``seed``: a non-negative integer below 2**63."""

    seed: int

    def __post_init__(self) -> None:
        if not 0 <= int(self.seed) <= MAX_SEED:
            raise ValueError(f"seed must be in [0, 2**63 - 1], got {self.seed}")

    def sequence(self, name: str) -> np.random.SeedSequence:
        return np.random.SeedSequence(entropy=int(self.seed), spawn_key=_name_key(name))

    def numpy(self, name: str) -> np.random.Generator:
        """A fresh numpy Generator for the stream ``name``."""
        return np.random.Generator(np.random.PCG64(self.sequence(name)))

    def integer(self, name: str) -> int:
        """A 63-bit integer seed for the stream ``name`` (for APIs that take an int)."""
        state = self.sequence(name).generate_state(2, dtype=np.uint32)
        return int((int(state[0]) << 31) ^ int(state[1])) & MAX_SEED

    def int32(self, name: str) -> int:
        """A seed in [0, 2**32) for APIs such as scikit-learn's ``random_state``."""
        return int(self.sequence(name).generate_state(1, dtype=np.uint32)[0])

    def torch(self, name: str, device: str = "cpu"):
        """A fresh ``torch.Generator`` on ``device`` for the stream ``name``."""
        import torch

        return torch.Generator(device=device).manual_seed(self.integer(name))

    @contextlib.contextmanager
    def torch_scope(self, name: str) -> Iterator[None]:
        """Run a block on torch's global generator seeded from ``name``, then restore it.

        For the draws torch only takes from its global generator (parameter
        initialisation, dropout masks): the block is reproducible and leaves no trace.
        """
        import torch

        devices = list(range(torch.cuda.device_count())) if torch.cuda.is_initialized() else []
        with torch.random.fork_rng(devices=devices):
            torch.manual_seed(self.integer(name))
            yield

    def child(self, prefix: str) -> PrefixedRngs:
        """The streams under ``prefix/`` (for a component that names its own draws)."""
        return PrefixedRngs(self, prefix.rstrip("/"))


@dataclass(frozen=True)
class PrefixedRngs:
    base: Rngs
    prefix: str

    @property
    def seed(self) -> int:
        return self.base.seed

    def _n(self, name: str) -> str:
        return f"{self.prefix}/{name}"

    def numpy(self, name: str) -> np.random.Generator:
        return self.base.numpy(self._n(name))

    def integer(self, name: str) -> int:
        return self.base.integer(self._n(name))

    def int32(self, name: str) -> int:
        return self.base.int32(self._n(name))

    def torch(self, name: str, device: str = "cpu"):
        return self.base.torch(self._n(name), device)

    def torch_scope(self, name: str):
        return self.base.torch_scope(self._n(name))

    def child(self, prefix: str) -> PrefixedRngs:
        return PrefixedRngs(self.base, self._n(prefix.rstrip("/")))
