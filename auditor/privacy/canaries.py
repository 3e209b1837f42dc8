"""Canaries, exposure and the one-run epsilon lower bound.

- Canaries: mislabelled rows (a real row with a wrong label) and, for images, out-of-
  distribution uniform-noise images with a random label. Each of the m audited canaries is
  inserted into a retraining with probability 1/2; extra candidates of the same kind are
  never inserted and serve as the reference set for exposure.
- Exposure (Carlini et al. 2019, "The Secret Sharer"): log2 |R| - log2 rank, where R is the
  canary plus the never-inserted candidates of its kind and rank orders them by loss.
- Epsilon lower bound (Steinke, Nasr & Jagielski 2023, "Privacy Auditing with One (1)
  Training Run", Theorem 3.1 and their Algorithm for the p-value): from r guesses, v correct.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class CanarySet:
    """x: inputs (m + extra, ...); y: their (wrong or random) labels; kind: per row
    "mislabelled" | "noise"; audited: True for the m rows that may be inserted; inserted: True
    where an audited row was drawn IN (probability 1/2)."""

    x: np.ndarray
    y: np.ndarray
    kind: np.ndarray
    audited: np.ndarray
    inserted: np.ndarray


def make_canaries(
    *,
    source_x: np.ndarray,
    source_y: np.ndarray,
    n_classes: int,
    m: int,
    n_extra: int,
    noise: bool,
    rng: np.random.Generator,
) -> CanarySet:
    """Draw m audited canaries (half mislabelled, half noise when ``noise``) plus up to
    ``n_extra`` never-inserted candidates per kind. Mislabelled rows come from ``source_x`` (rows
    no model under audit trains on), each with a label other than its own. Every draw comes from
    ``rng`` (e.g. ``rngs.numpy("privacy/canaries/draw")``)."""
    kinds = ["mislabelled", "noise"] if noise else ["mislabelled"]
    per_kind = [m // len(kinds) + (1 if i < m % len(kinds) else 0) for i in range(len(kinds))]
    xs, ys, ks, audited = [], [], [], []
    for kind, m_k in zip(kinds, per_kind, strict=True):
        if kind == "mislabelled":
            total = min(len(source_x), m_k + n_extra)
            if total < m_k:
                raise ValueError(f"only {len(source_x)} source rows for {m_k} mislabelled canaries")
            rows = rng.permutation(len(source_x))[:total]
            shift = rng.integers(1, n_classes, size=total)
            xs.append(source_x[rows])
            ys.append((source_y[rows] + shift) % n_classes)
        else:
            total = m_k + n_extra
            xs.append(rng.uniform(-1, 1, size=(total, *source_x.shape[1:])).astype(np.float32))
            ys.append(rng.integers(0, n_classes, size=total))
        ks += [kind] * total
        audited += [True] * m_k + [False] * (total - m_k)
    audited_arr = np.array(audited)
    inserted = audited_arr & (rng.random(len(audited_arr)) < 0.5)
    return CanarySet(
        x=np.concatenate(xs).astype(np.float32),
        y=np.concatenate(ys).astype(np.int64),
        kind=np.array(ks),
        audited=audited_arr,
        inserted=inserted,
    )


def exposure(canary_loss: np.ndarray, candidate_loss: np.ndarray) -> np.ndarray:
    """Exposure in bits of each canary against its candidates (the never-inserted ones):
    log2(|R|) - log2(rank), |R| = n_candidates + 1, rank = 1 + #candidates with a lower loss
    (ties count half). Max log2(|R|); about log2(e) = 1.44 bits on average for a canary the
    model never saw."""
    cand = np.sort(np.asarray(candidate_loss, dtype=np.float64))
    below = np.searchsorted(cand, canary_loss, side="left")
    ties = np.searchsorted(cand, canary_loss, side="right") - below
    rank = 1 + below + 0.5 * ties
    return np.log2(len(cand) + 1) - np.log2(rank)


def _log_pmf(j: int, n: int, p: float) -> float:
    """log P[Bin(n, p) = j], 0 <= j <= n, 0 < p < 1, in ``math``."""
    return (math.lgamma(n + 1) - math.lgamma(j + 1) - math.lgamma(n - j + 1)
            + j * math.log(p) + (n - j) * math.log1p(-p))  # fmt: skip


def binomial_tail(v: int, n: int, p: float) -> float:
    """P[Bin(n, p) >= v] in ``math`` alone (no scipy: the read-back of an audit recomputes the
    bound): the masses from v up where v is past the mean, else 1 less those below v
    (:func:`_tail_masses`)."""
    if v <= 0:
        return 1.0
    if v > n or p <= 0.0:
        return 0.0
    if p >= 1.0:
        return 1.0
    upper = v > n * p  # the masses fall away from j on either side
    total = math.exp(_tail_masses(v if upper else v - 1, n, p, upper=upper))
    return total if upper else min(max(1.0 - total, 0.0), 1.0)


def _tail_masses(j: int, n: int, p: float, *, upper: bool) -> float:
    """The log of the sum of P[Bin(n, p) = j] and the masses past it away from the mean (up to
    n where ``upper``, else down to 0), 0 < p < 1: each from the one before, scaled by the
    first, from the largest until the rest adds less than 1e-18 of the sum, about 9 standard
    deviations at most. Scaled, a first mass below 1e-308 (subnormal, 38 sd out at 10^8) stops
    as soon as any other; unscaled it stuck at 5e-324 and walked about n / 6 masses (R3 #1)."""
    odds, log_first = p / (1.0 - p), _log_pmf(j, n, p)
    term, total = 1.0, 0.0
    while term > total * 1e-18:
        total += term
        if j == (n if upper else 0):
            break
        term *= (n - j) / (j + 1) * odds if upper else j / ((n - j + 1) * odds)
        j += 1 if upper else -1
    return math.log(total) + log_first


def largest_mean_below(v: int, n: int, p: float) -> float:
    """max over i = 1..v of (P[Bin(n, p) = v - 1] + ... + P[Bin(n, p) = v - i]) / i, in
    ``math``: the masses scaled by P[Bin = v - 1] (2^-500 more each time they pass 2^500, and
    500 ln 2 added back once for all of them: added each time, its rounding drifted 1.7e-8 at
    n = 10^6, R8 #4); stopped where they fall and the next is below the mean so far (no later
    mean is larger)."""
    if v <= 0 or p >= 1.0:
        return 0.0
    if p <= 0.0:
        return 1.0 / v
    odds, scale = p / (1.0 - p), 2.0**500
    log_base, term, total, best, rescaled = _log_pmf(v - 1, n, p), 1.0, 0.0, 0.0, 0
    for i, j in enumerate(range(v - 1, -1, -1), start=1):
        total += term
        best = max(best, total / i)
        ratio = j / ((n - j + 1) * odds)
        term *= ratio
        if j == 0 or (ratio < 1.0 and term < total / i):
            break
        if term > scale:
            term, total, best = term / scale, total / scale, best / scale
            rescaled += 1
    if best <= 0:
        return 0.0
    return math.exp(math.log(best) + log_base + 500 * rescaled * math.log(2))


def p_value_dp_audit(m: int, r: int, v: int, eps: float, delta: float) -> float:
    """P[>= v correct of r guesses] for an (eps, delta)-DP algorithm with m canaries each
    included with probability 1/2 (Steinke, Nasr & Jagielski 2023, Theorem 3.1)."""
    q = 1.0 / (1.0 + math.exp(-eps))  # accuracy of eps-DP randomised response
    beta = binomial_tail(v, r, q)
    alpha = largest_mean_below(v, r, q) if delta > 0 else 0.0  # max_i sum P[Bin = v - 1..i] / i
    return min(beta + alpha * delta * 2 * m, 1.0)


def epsilon_lower_bound(
    m: int, r: int, v: int, *, delta: float = 0.0, confidence: float = 0.95
) -> float:
    """The largest eps rejected at ``confidence``: P-value(eps) < 1 - confidence. 0 when
    nothing is rejected. Bisection to 1e-6; at most 53 ln 2 = 36.7368 (float's q < 1)."""
    if not (0 <= v <= r <= m):
        raise ValueError(f"need 0 <= v <= r <= m, got v={v}, r={r}, m={m}")
    p = 1.0 - confidence
    if r == 0 or p_value_dp_audit(m, r, v, 0.0, delta) >= p:
        return 0.0
    lo, hi = 0.0, 1.0
    while p_value_dp_audit(m, r, v, hi, delta) < p:
        lo, hi = hi, hi * 2
        if hi > 1e3:  # never: past 53 ln 2 (36.74), q rounds to 1 and nothing is rejected
            return math.inf
    for _ in range(60):
        mid = (lo + hi) / 2
        if p_value_dp_audit(m, r, v, mid, delta) < p:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-6:
            break
    return lo


@dataclass(frozen=True)
class OneRunAudit:
    """Guesses fixed in advance: the k_plus highest-scoring canaries guessed IN, the k_minus
    lowest guessed OUT, the rest abstained. ceiling: the bound if all r guesses were right."""

    m: int
    k_plus: int
    k_minus: int
    r: int
    correct: int
    confidence: float
    delta: float
    epsilon_lower_bound: float
    epsilon_ceiling: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def one_run_audit(
    scores: np.ndarray,
    inserted: np.ndarray,
    *,
    k_plus: int,
    k_minus: int,
    delta: float,
    confidence: float,
) -> OneRunAudit:
    """scores (m,): higher = more likely inserted; inserted (m,) bool truth."""
    m = len(scores)
    k_plus, k_minus = min(k_plus, m), min(k_minus, max(m - k_plus, 0))
    order = np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")
    guess_in, guess_out = order[:k_plus], order[m - k_minus :] if k_minus else order[:0]
    v = int(inserted[guess_in].sum() + (~inserted[guess_out]).sum())
    r = k_plus + k_minus
    return OneRunAudit(
        m=m,
        k_plus=k_plus,
        k_minus=k_minus,
        r=r,
        correct=v,
        confidence=confidence,
        delta=delta,
        epsilon_lower_bound=epsilon_lower_bound(m, r, v, delta=delta, confidence=confidence),
        epsilon_ceiling=epsilon_lower_bound(m, r, r, delta=delta, confidence=confidence),
    )
