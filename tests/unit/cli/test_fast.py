"""The fast path's parser: what it accepts must mean what click reads; the rest falls back.

Outputs are compared with docker's in test_vs_docker.py (which runs through the fast path);
here the parser itself: pflag forms it takes, and the lines it must hand to click.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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
    ["inspect"], ["inspect", "-f"], ["container", "inspect", "--type", "image", "x"],
    ["image", "inspect", "-s", "x"], ["network", "inspect", "x"], ["volume", "create"],
])
def test_dispatch_falls_back_to_click(argv: list[str]) -> None:
    assert fast.dispatch(argv) is None


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "berth.cli.main", "-H",
                           "unix:///nonexistent/b.sock", *args],
                          capture_output=True, text=True, timeout=30)


@pytest.mark.parametrize(("fast_argv", "click_argv"), [
    (["ps", "-a"], ["ps", "-a", "--"]),  # "--": declined, click parses it
    (["inspect", "-f", "{{.Id}}", "x"], ["inspect", "-f", "{{.Id}}", "--", "x"]),
    (["image", "inspect", "x"], ["image", "inspect", "--", "x"]),
])
def test_fast_and_click_paths_print_the_same_error(fast_argv: list[str],
                                                   click_argv: list[str]) -> None:
    fast_run, click_run = _cli(*fast_argv), _cli(*click_argv)
    assert fast_run.returncode == 1
    assert "Cannot connect to the berth daemon at unix:///nonexistent/b.sock" in \
        fast_run.stderr
    assert (fast_run.stdout, fast_run.stderr, fast_run.returncode) == \
        (click_run.stdout, click_run.stderr, click_run.returncode)


def test_fast_path_does_not_import_click() -> None:
    code = ("import sys; from berth.cli import fast; "
            "fast.dispatch(['-H', 'unix:///nonexistent/b.sock', 'ps']); "
            "print('click' in sys.modules, 'dataclasses' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=30).stdout
    assert out.strip().splitlines()[-1] == "False False"


# Modules each worth 1-10 ms of start-up that the common commands do without (typing, re
# and enum come with json, socket, signal, contextlib, dataclasses …).
_HEAVY = ("click", "dataclasses", "typing", "re", "enum", "json", "socket", "signal",
          "threading", "contextlib", "collections", "functools", "datetime", "importlib")


@pytest.mark.parametrize("argv", [
    ["run", "--rm", "--network", "none", "busybox", "true"],
    ["ps", "-a"],
    ["container", "ls", "--format", "{{.Names}}"],
    ["inspect", "--format", "{{json .}}", "x"],
])
def test_hot_paths_skip_heavy_stdlib_modules(argv: list[str]) -> None:
    import berth

    src = str(Path(berth.__file__).resolve().parents[1])
    code = (f"import sys; sys.path.insert(0, {src!r}); from berth.cli import fast; "
            f"fast.dispatch(['-H', 'unix:///nonexistent/b.sock', *{argv!r}]); "
            "import berth.cli.attachio; "
            f"print(sorted(m for m in {_HEAVY!r} if m in sys.modules))")
    # -I -S: the launcher's interpreter flags (no site, so nothing imported on its behalf)
    out = subprocess.run([sys.executable, "-I", "-S", "-c", code], capture_output=True,
                         text=True, timeout=30)
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stderr
