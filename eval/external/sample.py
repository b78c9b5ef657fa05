"""Seeded, stratified subsets: the CI-sized external run.

`stratified(items, n, key, seed)` keeps `n` items with each stratum (`key(item)`, e.g. the
gold label) in proportion to its share of the whole (largest remainder, at least one per
stratum while n allows), drawn with a seeded `random.Random`, returned in file order. The
same data, n and seed give the same subset on every machine.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


def stratified(items: Sequence[T], n: int | None, key: Callable[[T], str],
               seed: int = 0) -> list[T]:
    if n is None or n >= len(items):
        return list(items)
    strata: dict[str, list[int]] = {}
    for i, it in enumerate(items):
        strata.setdefault(key(it), []).append(i)
    names = sorted(strata)
    exact = {s: n * len(strata[s]) / len(items) for s in names}
    take = {s: min(len(strata[s]), max(1 if n >= len(names) else 0, int(exact[s])))
            for s in names}
    # hand out what is left by largest remainder, then wherever room is left
    order = sorted(names, key=lambda s: (-(exact[s] - int(exact[s])), s))
    while sum(take.values()) < n:
        grew = False
        for s in order:
            if sum(take.values()) < n and take[s] < len(strata[s]):
                take[s] += 1
                grew = True
        if not grew:
            break
    while sum(take.values()) > n:  # the at-least-one floor overshot
        s = max(names, key=lambda x: take[x])
        take[s] -= 1
    rng = random.Random(seed)
    keep: list[int] = []
    for s in names:
        idx = list(strata[s])
        rng.shuffle(idx)
        keep += idx[:take[s]]
    return [items[i] for i in sorted(keep)]
