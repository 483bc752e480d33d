"""Pure parts of the runtime: config validation, flags, mount options, signals, paths."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from berth.errdefs import InvalidArgument
from berth.oci.runtime import validate
from berth.runtime import cliparse, mountopts
from berth.runtime._cli_more import size, update_resources
from berth.runtime.paths import secure_join
from berth.runtime.signals import parse_signal
from berth.runtime.spec import default_spec
from berth.runtime.state import StateStore, check_id, rfc3339
from berth.sys import mount as m


def test_default_spec_is_valid_and_runc_shaped() -> None:
    spec = default_spec()
    validate(spec)
    assert [n["type"] for n in spec["linux"]["namespaces"]] == [
        "pid", "network", "ipc", "uts", "mount"]
    rootless = default_spec(rootless=True)
    validate(rootless)
    assert {"type": "user"} in rootless["linux"]["namespaces"]
    assert rootless["linux"]["uidMappings"][0]["hostID"] == os.getuid()


@pytest.mark.parametrize(("path", "value", "field"), [
    (("process", "user", "uid"), "0", "process.user.uid"),
    (("process", "args"), [], "process.args"),
    (("process", "cwd"), "relative", "process.cwd"),
    (("linux", "namespaces"), [{"type": "bogus"}], "linux.namespaces[0].type"),
    (("mounts",), [{"destination": "x"}], "mounts[0].destination"),
    (("hooks",), {"prestart": [{"args": []}]}, "hooks.prestart[0].path"),
    (("linux", "rootfsPropagation"), "sideways", "linux.rootfsPropagation"),
])
def test_validation_names_the_field(path: tuple[str, ...], value: object, field: str) -> None:
    spec = default_spec()
    target = spec
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(InvalidArgument, match=field.replace("[", r"\[").replace("]", r"\]")):
        validate(spec)


def test_cliparse_forms() -> None:
    spec: cliparse.Spec = {"--bundle": ("bundle", "str"), "-b": ("bundle", "str"),
                           "--detach": ("detach", "bool"), "-e": ("env", "list"),
                           "--n": ("n", "int")}
    o, pos = cliparse.parse(["-b", "x", "--detach", "-e", "A=1", "-e=B=2", "--n=3", "id"], spec)
    assert o == {"bundle": "x", "detach": True, "env": ["A=1", "B=2"], "n": 3}
    assert pos == ["id"]
    o, pos = cliparse.parse(["id", "sh", "-c", "x"], spec, stop_after=1)
    assert pos == ["id", "sh", "-c", "x"]
    with pytest.raises(InvalidArgument, match="not defined: --nope"):
        cliparse.parse(["--nope"], spec)
    with pytest.raises(InvalidArgument, match="needs an argument"):
        cliparse.parse(["--bundle"], spec)


def test_mount_options() -> None:
    p = mountopts.parse(["rbind", "ro", "nosuid", "rprivate", "size=1m", "mode=755", "rw"])
    assert p.flags == m.MS_BIND | m.MS_REC | m.MS_NOSUID
    assert p.propagation == [m.MS_PRIVATE | m.MS_REC]
    assert p.data == "size=1m,mode=755"
    assert "idmap" in mountopts.parse(["idmap"]).extra
    assert "rro" in mountopts.all_options()


def test_signals() -> None:
    assert parse_signal("KILL") == parse_signal("SIGKILL") == parse_signal("9") == 9
    assert parse_signal("RTMIN+2") == signal.SIGRTMIN + 2
    with pytest.raises(InvalidArgument):
        parse_signal("NOPE")


def test_secure_join_keeps_symlinks_inside(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    (tmp_path / "link").symlink_to("/etc")
    (tmp_path / "up").symlink_to("../../../../etc")
    assert secure_join(str(tmp_path), "/link/passwd") == str(tmp_path / "etc/passwd")
    assert secure_join(str(tmp_path), "/up") == str(tmp_path / "etc")
    assert secure_join(str(tmp_path), "/../../x") == str(tmp_path / "x")


def test_state_store_atomic_and_ids(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "root")
    store.reserve("abc")
    store.save("abc", {"id": "abc"})
    assert store.load("abc")["schema"] == 1
    assert store.ids() == ["abc"]
    assert [p.name for p in (tmp_path / "root/abc").iterdir()] == ["state.json"]
    for bad in ("", "..", "a/b", "x y"):
        with pytest.raises(InvalidArgument):
            check_id(bad)
    assert rfc3339(0.5) == "1970-01-01T00:00:00.5Z"


def test_update_flags_to_resources() -> None:
    o = {"memory": "64m", "pids_limit": 10, "cpu_share": 512, "cpuset_cpus": "0"}
    assert update_resources(o) == {"memory": {"limit": 64 << 20}, "pids": {"limit": 10},
                                   "cpu": {"shares": 512, "cpus": "0"}}
    assert size("1g", "memory") == 1 << 30 and size("-1", "memory") == -1
    with pytest.raises(InvalidArgument):
        update_resources({})
