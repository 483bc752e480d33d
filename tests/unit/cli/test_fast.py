"""The fast path's parser: what it accepts must mean what click reads; the rest falls back.

Outputs are compared with docker's in test_vs_docker.py (which runs through the fast path);
here the parser itself: pflag forms it takes, and the lines it must hand to click.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from berth.cli import fast
from berth.cli.commands import runflags

RUN = runflags.SPEC + runflags.RUN_ONLY


def test_run_flags_forms() -> None:
    got = fast.parse(["-it", "--rm", "-e", "A=1", "-eB=2", "--env=C=3", "-p80:80",
                      "--name", "web", "busybox", "sh", "-c", "--rm"], RUN, interspersed=False)
    assert got is not None
    o, pos = got
    assert o["interactive"] and o["tty"] and o["rm"] and not o["detach"]
    assert o["env"] == ("A=1", "B=2", "C=3") and o["publish"] == ("80:80",)
    assert o["name"] == "web" and o["user"] is None and o["volume"] == ()
    assert pos == ["busybox", "sh", "-c", "--rm"]  # no flags after the image


def test_option_value_may_start_with_dash() -> None:
    got = fast.parse(["--name", "-x", "img"], RUN, interspersed=False)
    assert got is not None and got[0]["name"] == "-x"


@pytest.mark.parametrize("argv", [
    ["--help"], ["-h", "x", "--help"], ["--nope", "img"], ["-Z", "img"], ["--rm=false", "img"],
    ["-e=X", "img"], ["--name"], ["-e"], ["--", "img"], ["-itZ", "img"],
])
def test_declines(argv: list[str]) -> None:
    assert fast.parse(argv, RUN, interspersed=False) is None


def test_ps_is_interspersed_and_defaults() -> None:
    got = fast.parse(["-a", "extra", "-q"], fast.PS, interspersed=True)
    assert got is not None
    o, pos = got
    assert o["all"] and o["quiet"] and pos == ["extra"] and o["filter"] == ()


@pytest.mark.parametrize("argv", [
    [], ["--help"], ["-v"], ["version"], ["-H", "a", "-H", "b", "ps"], ["-l", "loud", "ps"],
    ["ps", "--help"], ["ps", "extra"], ["run"], ["run", "--help"], ["images", "a", "b"],
    ["container"], ["container", "images"], ["image", "ps"], ["tag", "a", "b"],
])
def test_dispatch_falls_back_to_click(argv: list[str]) -> None:
    assert fast.dispatch(argv) is None


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "berth.cli.main", "-H",
                           "unix:///nonexistent/b.sock", *args],
                          capture_output=True, text=True, timeout=30)


def test_fast_and_click_paths_print_the_same_error() -> None:
    fast_run = _cli("ps", "-a")  # taken by the fast path
    click_run = _cli("ps", "-a", "--")  # "--": declined, click parses it
    assert fast_run.returncode == 1 and fast_run.stdout == ""
    assert "Cannot connect to the berth daemon at unix:///nonexistent/b.sock" in \
        fast_run.stderr
    assert (fast_run.stderr, fast_run.returncode) == (click_run.stderr, click_run.returncode)


def test_fast_path_does_not_import_click() -> None:
    code = ("import sys; from berth.cli import fast; "
            "fast.dispatch(['-H', 'unix:///nonexistent/b.sock', 'ps']); "
            "print('click' in sys.modules, 'dataclasses' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=30).stdout
    assert out.strip().splitlines()[-1] == "False False"
