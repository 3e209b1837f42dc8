"""Rules reaching one node with one bound, or named alike, are numbered '#2', '#3', ...: the
search starts past the numbers an id or name already took (19,000 copies of one rule took
1m56s counting up from #2 each), and numbers exactly as counting from 1 does."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from auditor.gates.evaluate import _unique


@dataclass(frozen=True)
class Result:
    id: str
    name: str

    def model_copy(self, *, update: dict) -> Result:
        return replace(self, **update)


def _counting_from_one(result: Result, seen: set[str], names: set[str]) -> Result:
    k = 1
    while (result.id if k == 1 else f"{result.id} #{k}") in seen or (
        (result.name if k == 1 else f"{result.name} #{k}") in names
    ):
        k += 1
    if k > 1:
        result = replace(result, id=f"{result.id} #{k}", name=f"{result.name} #{k}")
    seen.add(result.id)
    names.add(result.name)
    return result


def test_numbers_are_the_ones_counting_from_one_gives():
    rng = random.Random(0)
    words = ["a", "b", "a #2", "a #3", "b #2"]  # users may name a rule like a numbered one
    for _ in range(300):
        rules = [Result(rng.choice(words), rng.choice(words)) for _ in range(rng.randint(1, 30))]
        old_seen, old_names, seen, names, after = set(), set(), set(), set(), {}
        for r in rules:
            assert _unique(r, seen, names, after) == _counting_from_one(r, old_seen, old_names)


def test_many_copies_of_one_rule_are_numbered_in_turn():
    seen, names, after = set(), set(), {}
    got = [_unique(Result("acc", "acc"), seen, names, after).name for _ in range(5000)]
    assert got[:3] == ["acc", "acc #2", "acc #3"] and got[-1] == "acc #5000"
    assert len(set(got)) == 5000
