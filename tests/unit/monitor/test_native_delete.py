"""berth-monitor's own delete after the exit (native/delete.c), without root: a fake
runtime root (``<root>/test`` with state.json) and plain dirs standing in for the cgroup
dirs. It removes them when it holds the runtime dir's lock and all goes as planned;
anything else is left to the Python helper (here the recording one-liner)."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.unit.monitor.nativemon_util import NativeMon, wait_until


@pytest.fixture
def made() -> Iterator[list[NativeMon]]:
    mons: list[NativeMon] = []
    yield mons
    for m in mons:
        m.close()


class Fake:
    """A runtime root with the container ``test``, its lock (inherited by the monitor, as
    monitor.Setup hands it over) and two cgroup stand-ins."""

    def __init__(self, tmp: Path) -> None:
        self.root = tmp / "runtime"
        self.dir = self.root / "test"
        self.dir.mkdir(parents=True)
        (self.dir / "state.json").write_text('{"pid": 1}')
        (self.dir / "other").write_text("x")
        self.cgroups = [tmp / "cg" / "memory" / "test", tmp / "cg" / "unified" / "test"]
        for d in self.cgroups:
            d.mkdir(parents=True)
        self.lock = os.open(self.dir, os.O_RDONLY | os.O_DIRECTORY)
        fcntl.flock(self.lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.set_inheritable(self.lock, True)

    def args(self, native: bool = True) -> list[str]:
        out = [f"--runtime-root={self.root}", f"--lock-fd={self.lock}"]
        if native:
            out += ["--native-delete", *(f"--cgroup={d}" for d in self.cgroups)]
        return out

    def close(self) -> None:
        os.close(self.lock)  # the monitor has its own copy (it inherited the fd)


def _run_to_the_end(made: list[NativeMon], tmp: Path, fake: Fake, **kw: object) -> NativeMon:
    m = NativeMon(tmp, "sys.exit(0)\n", extra=fake.args(**kw))  # type: ignore[arg-type]
    made.append(m)
    fake.close()
    m.start()
    assert m.wait()["exit_code"] == 0
    assert m.exited() == 0  # the native delete runs before the monitor exits
    return m


def test_native_delete_removes_cgroups_and_state(made: list[NativeMon],
                                                 tmp_path: Path) -> None:
    fake = Fake(tmp_path)
    m = _run_to_the_end(made, tmp_path, fake)
    assert not fake.dir.exists()
    assert not any(d.exists() for d in fake.cgroups)
    assert (fake.root).is_dir()  # only the container's dir goes
    assert not (m.dir / "helper.cleanup").exists()  # no Python helper was forked


def test_busy_cgroup_falls_back_to_the_helper(made: list[NativeMon], tmp_path: Path) -> None:
    """A cgroup dir that will not go (here: not empty, as one with child cgroups or
    tasks) is left to the runtime's delete: the helper runs, the state is untouched."""
    fake = Fake(tmp_path)
    (fake.cgroups[1] / "child").mkdir()
    m = _run_to_the_end(made, tmp_path, fake)
    wait_until((m.dir / "helper.cleanup").exists)  # not waited for by the monitor
    assert (fake.dir / "state.json").exists() and (fake.dir / "other").exists()


def test_entry_that_is_not_a_file_falls_back_with_state_json_kept(made: list[NativeMon],
                                                                   tmp_path: Path) -> None:
    fake = Fake(tmp_path)
    (fake.dir / "sub").mkdir()
    m = _run_to_the_end(made, tmp_path, fake)
    wait_until((m.dir / "helper.cleanup").exists)
    assert (fake.dir / "state.json").exists()  # removed last: the helper still finds it


def test_not_our_dir_is_left_alone(made: list[NativeMon], tmp_path: Path) -> None:
    """The dir at <root>/<id> is not the locked one (berthd deleted ours, a new one of
    the same id came): nothing is removed, and no helper is needed."""
    fake = Fake(tmp_path)
    os.rename(fake.dir, tmp_path / "old")
    fake.dir.mkdir()
    (fake.dir / "state.json").write_text('{"pid": 2}')
    m = _run_to_the_end(made, tmp_path, fake)
    assert (fake.dir / "state.json").read_text() == '{"pid": 2}'
    assert all(d.exists() for d in fake.cgroups)
    assert not (m.dir / "helper.cleanup").exists()


def test_without_native_delete_the_helper_deletes(made: list[NativeMon],
                                                  tmp_path: Path) -> None:
    """Poststop hooks (the set-up passes no --native-delete): the helper as before."""
    fake = Fake(tmp_path)
    m = _run_to_the_end(made, tmp_path, fake, native=False)
    wait_until((m.dir / "helper.cleanup").exists)
    assert fake.dir.exists() and all(d.exists() for d in fake.cgroups)
