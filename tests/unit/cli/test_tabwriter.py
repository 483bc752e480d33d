"""Go text/tabwriter behaviour docker's tables depend on."""

from __future__ import annotations

from berth.cli.format.tabwriter import tabwrite


def test_min_width_and_padding() -> None:
    text = "A\tBB\tC\nlonger-cell\tx\ty\n"
    assert tabwrite(text) == "A             BB        C\nlonger-cell   x         y\n"


def test_last_cell_is_not_padded() -> None:
    assert tabwrite("a\tb\n") == "a         b\n"


def test_trailing_empty_cell_is_padded_like_go() -> None:
    # "x\t\n": the empty cell after the tab ends the line, the tab-terminated "x" pads.
    assert tabwrite("x\t\n") == "x         \n"


def test_column_blocks_are_independent() -> None:
    text = "a\tb\nno tabs here\nccccccccccccc\td\n"
    out = tabwrite(text, minwidth=0, padding=1)
    assert out == "a b\nno tabs here\nccccccccccccc d\n"


def test_counts_runes_not_bytes() -> None:
    assert tabwrite("é\tx\nab\ty\n", minwidth=0, padding=1) == "é  x\nab y\n"


def test_version_style_minwidth_20() -> None:
    text = "Client:\n Version:\t1\n API version:\t1.44\n"
    assert tabwrite(text, minwidth=20, padding=1) == (
        "Client:\n Version:           1\n API version:       1.44\n")
