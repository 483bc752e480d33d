"""Exec records: moby's ExecInspect shape, config checks, start-once, GC."""

from __future__ import annotations

import pytest

from berth.containers import execs
from berth.containers.execs import ExecStore, from_config
from berth.errdefs import Conflict, InvalidArgument, NotFound


def test_inspect_shape() -> None:
    ex = from_config("c" * 64, {"Cmd": ["sh", "-c", "echo hi"], "User": "nobody",
                                "Tty": True, "AttachStdin": True, "AttachStdout": True,
                                "DetachKeys": "ctrl-x"})
    assert ex.inspect() == {
        "ID": ex.id, "Running": False, "ExitCode": None,
        "ProcessConfig": {"tty": True, "entrypoint": "sh", "arguments": ["-c", "echo hi"],
                          "privileged": False, "user": "nobody"},
        "OpenStdin": True, "OpenStderr": False, "OpenStdout": True, "CanRemove": False,
        "ContainerID": "c" * 64, "DetachKeys": "ctrl-x", "Pid": 0}
    assert ex.cmdline() == "sh -c 'echo hi'"


@pytest.mark.parametrize("cfg, msg", [
    ({}, "No exec command specified"),
    ({"Cmd": []}, "No exec command specified"),
    ({"Cmd": ["a", 1]}, "No exec command specified"),
    ({"Cmd": ["a"], "Env": ["=x"]}, "invalid environment variable"),
    ({"Cmd": ["a"], "WorkingDir": "tmp"}, "needs to be an absolute path"),
])
def test_bad_config(cfg: dict[str, object], msg: str) -> None:
    with pytest.raises(InvalidArgument, match=msg):
        from_config("c", cfg)


def test_string_cmd_and_console_size() -> None:
    ex = from_config("c", {"Cmd": "true", "ConsoleSize": [24, 80]})
    assert ex.argv == ["true"] and ex.console_size == [24, 80]


def test_start_once_finish_and_running_ids() -> None:
    store = ExecStore()
    ex = from_config("c", {"Cmd": ["true"]})
    probe = from_config("c", {"Cmd": ["true"]})
    probe.internal = True
    store.add(ex)
    store.add(probe)
    assert store.running_ids("c") == [ex.id]
    store.claim(ex.id)
    ex.running = True
    with pytest.raises(Conflict, match="is already running"):
        store.claim(ex.id)
    store.finish(ex, 3)
    assert ex.inspect()["ExitCode"] == 3 and ex.inspect()["CanRemove"]
    with pytest.raises(Conflict, match="has already run"):
        store.claim(ex.id)
    assert store.running_ids("c") == []
    with pytest.raises(NotFound, match="No such exec instance: nope"):
        store.get("nope")


def test_gc_of_old_exited_and_drop_container() -> None:
    now = [1000.0]
    store = ExecStore(clock=lambda: now[0])
    old, live = from_config("c", {"Cmd": ["a"]}), from_config("c", {"Cmd": ["b"]})
    store.add(old)
    store.add(live)
    store.finish(old, 0)
    now[0] += execs.KEEP_EXITED + 1
    store.add(from_config("d", {"Cmd": ["c"]}))  # adding collects
    with pytest.raises(NotFound):
        store.get(old.id)
    assert store.get(live.id) is live
    store.drop_container("c")
    with pytest.raises(NotFound):
        store.get(live.id)
