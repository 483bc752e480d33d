"""The import-light stand-ins the CLI's hot path uses: fastjson for json, CgPath for
pathlib, and which namespaces the child can be cloned straight into."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from berth._util import fastjson
from berth.runtime.cgroups._path import CgPath
from berth.runtime.launch import Launch
from berth.sys import ns

DOCS = [{"a": [1, 2.5, "x\u00e9\n", None, True, {"b": {}}], "c": -3}, [], "s", 0, {"k": ""}]


@pytest.mark.parametrize("doc", DOCS)
def test_fastjson_matches_json(doc: object) -> None:
    assert fastjson.dumps(doc) == json.dumps(doc)
    assert fastjson.loads(json.dumps(doc, indent=2)) == doc
    assert fastjson.loads(json.dumps(doc).encode()) == doc


@pytest.mark.parametrize("bad", ["", "{", '{"a" 1}', "[1,", "{not json", "1 2"])
def test_fastjson_errors_are_json_errors(bad: str) -> None:
    with pytest.raises(json.JSONDecodeError):
        fastjson.loads(bad)


def test_cli_hot_path_imports_no_heavy_modules() -> None:
    code = ("import sys, berth.runtime.__main__, berth.runtime.run, berth.runtime.init, "
            "berth.runtime.cgroups.v1, berth.runtime.cgroups.v2; "
            "print(sorted(m for m in ('pathlib', 're', 'json', 'typing', 'logging', 'enum', "
            "'socket', 'shutil', 'collections') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_cgpath_behaves_like_the_pathlib_subset_it_replaces() -> None:
    p = CgPath("/sys/fs/cgroup//memory/")
    assert p == "/sys/fs/cgroup/memory" and p == Path("/sys/fs/cgroup/memory")
    assert Path("/sys/fs/cgroup/memory") == p
    assert p / "berth" / Path("c1") == Path("/sys/fs/cgroup/memory/berth/c1")
    assert p.parent == "/sys/fs/cgroup" and p.name == "memory"
    assert p.parts == Path(p).parts
    assert p.is_relative_to("/sys/fs") and not p.is_relative_to("/sys/fs/cg")
    assert p.relative_to("/sys/fs") == "cgroup/memory"
    assert CgPath("/a").relative_to("/a").parts == ()
    with pytest.raises(ValueError):
        p.relative_to("/proc")
    assert os.fspath(p) == "/sys/fs/cgroup/memory" and json.dumps(p) == '"/sys/fs/cgroup/memory"'


def _launch(new: set[str], join: dict[str, str] | None = None) -> Launch:
    return Launch("c", {}, {}, new=new, join=join)


def test_birth_flags_clone_straight_into_new_namespaces() -> None:
    full = _launch({"pid", "network", "ipc", "uts", "mount", "cgroup"})
    flags = full.birth_flags()
    assert flags == ns.CLONE_NEWPID | ns.CLONE_NEWNET | ns.CLONE_NEWIPC | ns.CLONE_NEWUTS \
        | ns.CLONE_NEWNS  # cgroup is unshared after joining the v1 cgroups
    full.born_in = flags
    assert full.new_flags() == ns.CLONE_NEWCGROUP and not full.must_fork()


@pytest.mark.parametrize("launch", [
    _launch({"pid", "mount", "user"}),
    _launch({"pid", "mount", "time"}),
    _launch({"mount"}, join={"network": "/proc/1/ns/net"}),
])
def test_birth_flags_fall_back_when_setup_must_come_first(launch: Launch) -> None:
    assert launch.birth_flags() == 0


def test_lean_launcher_runs_the_cli_without_site_or_re(tmp_path: Path) -> None:
    from berth._util import launcher
    path = tmp_path / "berth-runtime"
    launcher.install(str(path), "berth.runtime.__main__")
    assert os.stat(path).st_mode & 0o777 == 0o755
    text = path.read_text()
    assert text.startswith(f"#!{sys.executable} -IS\n")
    out = subprocess.run([str(path), "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("berth-runtime version ")
    probe = (f"import sys; sys.path[:0] = [{launcher.package_root()!r}]; "
             "import berth.runtime.__main__; print('site' in sys.modules, 're' in sys.modules)")
    res = subprocess.run([sys.executable, "-IS", "-c", probe], capture_output=True, text=True,
                         check=True)
    assert res.stdout.split() == ["False", "False"]
