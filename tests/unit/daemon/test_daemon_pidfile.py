from __future__ import annotations

import os
from pathlib import Path

import pytest

from berth import errdefs
from berth.daemon.pidfile import PidFile


def test_second_holder_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "run" / "berthd.pid"
    with PidFile(path):
        assert path.read_text() == f"{os.getpid()}\n"
        with pytest.raises(errdefs.Conflict, match="pid file found"):
            PidFile(path).acquire()
    assert not path.exists()


def test_stale_pidfile_is_taken_over(tmp_path: Path) -> None:
    path = tmp_path / "berthd.pid"
    path.write_text("999999\n")
    with PidFile(path):
        assert path.read_text() == f"{os.getpid()}\n"
