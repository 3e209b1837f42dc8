"""What every membership-inference attack shares: its inputs, its one method and the registry.

Like captum's ``attribute()``, every attack answers ``score(target) -> (n,) scores`` (higher
means "more likely a member"), so the engine never branches on the attack. ``target`` is an
:class:`AttackInputs`: the attacked model's logits on the audited rows and on population
rows, and the reference models' (every model except the attacked one) with their IN masks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

import numpy as np

if TYPE_CHECKING:
    from auditor.config.privacy import PrivacyConfig

UNKNOWN_ATTACK = "unknown attack {name!r}; registered: {known}"
DUPLICATE_ATTACK = "attack {name!r} is already registered"


@dataclass(frozen=True)
class AttackInputs:
    """One attacked model and its reference models.

    logits: (n, k) the attacked model on the audited pool; y: (n,) their labels.
    population_logits: (n_z, k) the attacked model on population rows (never members);
    y_population: (n_z,). ref_logits: (R, n, k) and ref_population_logits: (R, n_z, k) the
    reference models (the attacked one excluded); ref_in: (R, n) True where a row was in that
    reference's training set.
    """

    logits: np.ndarray
    y: np.ndarray
    population_logits: np.ndarray
    y_population: np.ndarray
    ref_logits: np.ndarray
    ref_population_logits: np.ndarray
    ref_in: np.ndarray
    _derived: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def derived(self, key: str, compute: Callable[[], Any]) -> Any:
        """``compute()`` once per ``key`` for these inputs: what an attack derives from them
        (a statistic of the reference models, both LiRA scores) is shared by every attack
        and every parameter that reads the same inputs. Do not mutate the result."""
        if key not in self._derived:
            value = compute()
            for array in value if isinstance(value, tuple) else (value,):
                array.flags.writeable = False  # shared: a caller that writes to it fails
            self._derived[key] = value
        return self._derived[key]


class Attack(Protocol):
    """A membership-inference attack, parameters fixed before it sees the target."""

    name: ClassVar[str]
    # the privacy.probes entry that reports it
    probe: ClassVar[str]
    description: ClassVar[str]
    # reference models a parameter was tuned on (left out of the pooled ROC)
    pool_exclude: tuple[int, ...]

    @property
    def params(self) -> dict[str, Any]: ...

    def score(self, target: AttackInputs) -> np.ndarray:
        """(n,) float64 membership scores of ``target``'s audited rows."""
        ...


class AttackType(Protocol):
    """An attack class: its name, its probe, and how it builds itself from the config and one
    reference model seen as the target (``tuning``, with ``tuning_members`` its true IN mask;
    parameters are fitted there only)."""

    name: ClassVar[str]
    probe: ClassVar[str]

    def create(
        self, config: PrivacyConfig, tuning: AttackInputs, tuning_members: np.ndarray
    ) -> Attack: ...


_REGISTRY: dict[str, AttackType] = {}


def register_attack(attack: AttackType) -> None:
    """Register an attack class under its ``name``; a duplicate name is refused."""
    if attack.name in _REGISTRY:
        raise ValueError(DUPLICATE_ATTACK.format(name=attack.name))
    _REGISTRY[attack.name] = attack


def registered_attacks() -> dict[str, AttackType]:
    """Every registered attack class by name, in registration order."""
    return dict(_REGISTRY)


def create_attack(
    name: str, config: PrivacyConfig, tuning: AttackInputs, tuning_members: np.ndarray
) -> Attack:
    """Build the attack ``name``; an unknown name is refused."""
    if name not in _REGISTRY:
        raise ValueError(UNKNOWN_ATTACK.format(name=name, known=", ".join(_REGISTRY)))
    return _REGISTRY[name].create(config, tuning, tuning_members)
