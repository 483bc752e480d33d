"""berthd's lean imports (no ssl, no aiohttp client) and its idle malloc trimming."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

import pytest

from berth.daemon import memtrim

PROBE = """
import json, sys
from berth.daemon import lean
lean.block_ssl()
lean.lazy_aiohttp()
lean.pure_python_frozenlist()
import berth.daemon.server
from aiohttp import web
loaded = {m for m, v in sys.modules.items() if v is not None}
before = sorted(m for m in ("ssl", "_ssl", "aiohttp.client", "aiohttp.connector",
                            "aiohttp.cookiejar") if m in loaded)
import aiohttp
session = aiohttp.ClientSession  # a name from the real __init__: loads the whole package
print(json.dumps({"before": before, "web": web.Application.__module__,
                  "session": session.__module__, "version": aiohttp.__version__,
                  "client": "aiohttp.client" in sys.modules,
                  "libstdc++": "libstdc++" in open("/proc/self/maps").read()}))
"""


def test_daemon_imports_skip_ssl_and_the_http_client() -> None:
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                         check=True, timeout=120)
    got = json.loads(out.stdout)
    assert got["before"] == []
    assert got["web"] == "aiohttp.web_app"
    assert got["session"] == "aiohttp.client" and got["client"]
    assert got["version"]
    assert not got["libstdc++"]


def test_lazy_aiohttp_leaves_a_loaded_package_alone() -> None:
    import aiohttp

    from berth.daemon import lean

    lean.lazy_aiohttp()
    assert sys.modules["aiohttp"] is aiohttp


async def test_idle_trim_fires_once_after_a_burst(monkeypatch: pytest.MonkeyPatch) -> None:
    fired = asyncio.Event()
    calls: list[int] = []

    def trim() -> None:
        calls.append(1)
        fired.set()

    monkeypatch.setattr(memtrim, "malloc_trim", trim)
    idle = memtrim.IdleTrim(asyncio.get_running_loop(), delay=0.05)
    for _ in range(5):
        idle.poke()
    await asyncio.wait_for(fired.wait(), 20)
    assert calls == [1] and idle.timer is None
    idle.poke()
    idle.close()
    assert idle.timer is None


def test_malloc_trim_runs() -> None:
    memtrim.malloc_trim()  # glibc's malloc_trim(0) is safe at any time
