"""Legacy --link when the target comes back with another address: the hosts file of
the running container that links to it names the new address (docker rewrites it). A
daemon with a /29 default bridge, so fillers can take the target's old address."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from berth.testing.waiting import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.root,
              pytest.mark.skipif(os.geteuid() != 0, reason="containers need root"),
              pytest.mark.skipif(shutil.which("docker") is None, reason="no docker CLI")]


@pytest.fixture
def small(berthd_factory: Callable[..., Any], tmp_path: Path) -> Any:
    """A daemon whose default bridge has 5 addresses (gateway 10.213.77.1)."""
    from berth.testing.rootfs import make_busybox_tar

    d = berthd_factory("--bip", "10.213.77.1/29")
    tar = make_busybox_tar(tmp_path / "busybox.tar", tmp_path)
    d.docker("import", "-c", 'CMD ["sh"]', str(tar), "busybox:latest")
    yield d
    d.remove_all_containers()


def _ip(d: Any, name: str) -> str:
    return str(d.docker("inspect", "-f", "{{.NetworkSettings.IPAddress}}", name)
               .stdout.strip())


def _db_ips(hosts: str) -> list[str]:
    """Addresses of the hosts lines of the link (``ip<TAB>db <hostname> tgt``)."""
    return [ln.split("\t")[0] for ln in hosts.splitlines()
            if "\t" in ln and ln.split("\t")[1].split()[0] == "db"]


def test_hosts_follow_a_restarted_target(small: Any) -> None:
    d = small
    d.docker("run", "-d", "--name", "tgt", "busybox", "sleep", "300")
    d.docker("run", "-d", "--name", "app", "--link", "tgt:db", "busybox", "sleep", "300")
    old = _ip(d, "tgt")
    assert _db_ips(d.docker("exec", "app", "cat", "/etc/hosts").stdout) == [old]
    d.docker("stop", "-t", "0", "tgt")
    # fillers use the rest of the /29 and then, wrapping, tgt's old address
    fillers = [f"fill{i}" for i in range(4)]
    for name in fillers:
        d.docker("run", "-d", "--name", name, "busybox", "sleep", "300")
    assert old in [_ip(d, n) for n in fillers]
    freed = next(n for n in fillers if _ip(d, n) != old)
    d.docker("rm", "-f", freed)
    d.docker("start", "tgt")
    new = _ip(d, "tgt")
    assert new and new != old

    def hosts() -> str:
        return str(d.docker("exec", "app", "cat", "/etc/hosts").stdout)

    assert wait_for(lambda: _db_ips(hosts()) == [new], timeout=10)
    ping = d.docker("exec", "app", "ping", "-c1", "-W2", "db", check=False)
    assert "1 packets received" in ping.stdout, ping
