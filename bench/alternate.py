"""The order in which engines take turns, so drift and disk state hit every engine alike."""

from __future__ import annotations

from collections.abc import Iterator, Sequence


def schedule(engines: Sequence[str], repeat: int) -> Iterator[tuple[int, str]]:
    """Yield (repetition, engine): each repetition runs every engine once, rotating the order.

    With two engines this is A B / B A / A B …; with more, each engine takes each position in
    turn, so no engine always follows the same one (which matters for cache and disk effects).
    """
    n = len(engines)
    for rep in range(repeat):
        shift = rep % n if n else 0
        for engine in (*engines[shift:], *engines[:shift]):
            yield rep, engine
