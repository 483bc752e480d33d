"""OCI ``process.capabilities`` → the five kernel capability sets."""

from __future__ import annotations

from berth.errdefs import InvalidArgument
from berth.sys import caps

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def to_mask(names: list[str] | None, field: str, last: int) -> int:
    """Capability names → mask; unknown names are an error, caps the kernel lacks are skipped."""
    out = 0
    for name in names or ():
        n = caps.CAP_NUMBERS.get(name.upper() if name.upper().startswith("CAP_")
                                 else f"CAP_{name.upper()}")
        if n is None:
            raise InvalidArgument(f"{field}: unknown capability {name!r}")
        if n <= last:
            out |= 1 << n
    return out


def masks(spec: dict[str, Any] | None, field: str, last: int) -> dict[str, int]:
    """Masks for bounding/effective/inheritable/permitted/ambient (absent = empty)."""
    spec = spec or {}
    return {k: to_mask(spec.get(k), f"{field}.{k}", last)
            for k in ("bounding", "effective", "inheritable", "permitted", "ambient")}


def drop_bounding(sets: dict[str, int], last: int) -> None:
    """Step 1 (still root, still holding CAP_SETPCAP): shrink the bounding set."""
    caps.drop_bounding(sets["bounding"], last)


def apply(sets: dict[str, int], last: int) -> None:
    """Step 2 (after the uid switch): set E/P/I, then raise the ambient set."""
    caps.capset(sets["effective"], sets["permitted"], sets["inheritable"])
    amb = sets["ambient"] & sets["permitted"] & sets["inheritable"]
    caps.set_ambient(amb, last)
