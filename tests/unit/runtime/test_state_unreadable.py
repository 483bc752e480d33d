"""A state.json torn by a host crash (it is not fsync'ed) reads as UnreadableState; delete
removes the directory and list skips it."""

from __future__ import annotations

from pathlib import Path

import pytest

from berth.runtime.ops import delete, list_states
from berth.runtime.state import StateStore, UnreadableState


def test_torn_state_is_deleted(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    d = Path(store.reserve("torn"))
    (d / "state.json").write_bytes(b"")
    with pytest.raises(UnreadableState):
        store.load("torn")
    assert list_states(tmp_path) == []
    delete(tmp_path, "torn")
    assert not d.exists()
    store.reserve("torn")  # the id is free again
