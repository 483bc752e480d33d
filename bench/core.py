"""The words every bench module shares: rows, samples and the reasons an engine cannot run."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from bench.context import Context



class Missing:
    """A part of a sample that could not be measured (e.g. ``exec`` not implemented yet).

    The other parts of the same sample still count; the part gets ``reason`` in the table.
    """

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def __repr__(self) -> str:
        return f"Missing({self.reason!r})"


# One measurement: a single figure, or named parts of one repetition (e.g. save and load);
# a part may be Missing.
Sample = float | Mapping[str, "float | Missing"]


class Unavailable(Exception):
    """An engine (or a whole row) cannot run here; the message says why, for the table."""


class Row:
    """One benchmark: the same work through several engines.

    A row names its engines, which of them are berth's (``subjects``, whose ratios are reported)
    and which are the references. ``setup`` prepares everything and returns the engines that
    cannot run with their reasons; ``measure(engine)`` does the work once and returns a sample;
    ``teardown`` undoes ``setup`` and must not raise.
    """

    name: ClassVar[str]
    title: ClassVar[str]
    unit: ClassVar[str] = "ms"
    subjects: ClassVar[tuple[str, ...]] = ("berth",)
    references: ClassVar[tuple[str, ...]] = ()
    repeat: ClassVar[int] = 10
    quick_repeat: ClassVar[int] = 3
    in_quick: ClassVar[bool] = True
    warmup: ClassVar[int] = 1
    order: ClassVar[int] = 100
    target: ClassVar[str] = ""
    notes: ClassVar[str] = ""

    @property
    def engines(self) -> tuple[str, ...]:
        """Subjects first, then references: the order of the first repetition."""
        return self.subjects + self.references

    def setup(self, ctx: Context) -> dict[str, str]:
        """Prepare the row; return {engine: reason} for engines that cannot run."""
        return {}

    def measure(self, engine: str) -> Sample:
        """Do the work once through ``engine``; raise on failure."""
        raise NotImplementedError

    def teardown(self) -> None:
        """Undo setup; never raise."""
