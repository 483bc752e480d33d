"""process.*: user, capabilities, no_new_privs, rlimits, env, cwd, hostname, sysctl."""

from __future__ import annotations

import resource
from typing import Any

import pytest
from tests.privileged.runtime.conftest import Runtime

pytestmark = pytest.mark.root


def _status(out: str) -> dict[str, str]:
    return dict(line.split(":\t", 1) for line in out.splitlines() if ":\t" in line)


def test_default_caps_and_no_new_privs(rt: Runtime) -> None:
    out = rt.run(["cat", "/proc/self/status"]).stdout
    st = _status(out)
    # CAP_AUDIT_WRITE(29), CAP_KILL(5), CAP_NET_BIND_SERVICE(10)
    want = f"{(1 << 29) | (1 << 5) | (1 << 10):016x}"
    assert st["CapEff"] == want and st["CapBnd"] == want and st["CapPrm"] == want
    assert st["NoNewPrivs"] == "1"


def test_all_five_capability_sets(rt: Runtime) -> None:
    def edit(cfg: dict[str, Any]) -> None:
        cfg["process"]["noNewPrivileges"] = False
        cfg["process"]["capabilities"] = {
            "bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_SETUID"],
            "permitted": ["CAP_CHOWN", "CAP_KILL"],
            "effective": ["CAP_CHOWN"],
            "inheritable": ["CAP_KILL"],
            "ambient": ["CAP_KILL"],
        }
    b = rt.edit(rt.bundle(["cat", "/proc/self/status"]), edit)
    st = _status(rt.run([], bundle=b).stdout)
    assert st["CapBnd"] == f"{(1 << 0) | (1 << 5) | (1 << 7):016x}"
    assert st["CapInh"] == f"{1 << 5:016x}"
    assert st["CapAmb"] == f"{1 << 5:016x}"
    assert st["NoNewPrivs"] == "0"


def test_user_groups_umask(rt: Runtime) -> None:
    def edit(cfg: dict[str, Any]) -> None:
        cfg["process"]["user"] = {"uid": 1234, "gid": 5678, "additionalGids": [10, 11],
                                  "umask": 0o077}
    b = rt.edit(rt.bundle(["sh", "-c", "id; umask"]), edit)
    out = rt.run([], bundle=b).stdout.split("\n")
    assert out[0].startswith("uid=1234 gid=5678 groups=")
    assert "10" in out[0] and "11" in out[0]
    assert out[1] in ("0077", "077")


def test_rlimits_applied_and_refused_above_inherited(rt: Runtime) -> None:
    def edit(cfg: dict[str, Any]) -> None:
        cfg["process"]["rlimits"] = [{"type": "RLIMIT_NOFILE", "soft": 321, "hard": 654}]
    b = rt.edit(rt.bundle(["sh", "-c", "ulimit -n; ulimit -Hn"]), edit)
    assert rt.run([], bundle=b).stdout.split() == ["321", "654"]
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    if hard == resource.RLIM_INFINITY:
        pytest.skip("inherited NOFILE hard limit is unlimited")

    def above(cfg: dict[str, Any]) -> None:
        cfg["process"]["rlimits"] = [{"type": "RLIMIT_NOFILE", "soft": hard + 1,
                                      "hard": hard + 1}]
    b2 = rt.edit(rt.bundle(["true"]), above)
    res = rt.run([], bundle=b2, check=False)
    assert res.returncode == 1
    assert "RLIMIT_NOFILE" in res.stderr and "CAP_SYS_RESOURCE" in res.stderr


def test_env_cwd_hostname_domainname_sysctl(rt: Runtime) -> None:
    def edit(cfg: dict[str, Any]) -> None:
        cfg["process"]["env"] = ["PATH=/bin:/usr/bin", "FOO=bar baz"]
        cfg["process"]["cwd"] = "/tmp"
        cfg["hostname"] = "box1"
        cfg["domainname"] = "example.test"
        cfg["linux"]["sysctl"] = {"net.ipv4.ip_forward": "1"}
    b = rt.edit(rt.bundle(["sh", "-c", "echo $FOO; pwd; hostname; cat /proc/sys/kernel/domainname; "
                           "cat /proc/sys/net/ipv4/ip_forward; echo $HOME"]), edit)
    assert rt.run([], bundle=b).stdout.split("\n")[:6] == [
        "bar baz", "/tmp", "box1", "example.test", "1", "/root"]


def test_oom_score_adj_raise(rt: Runtime) -> None:
    b = rt.edit(rt.bundle(["cat", "/proc/self/oom_score_adj"]),
                lambda c: c["process"].__setitem__("oomScoreAdj", 500))
    assert rt.run([], bundle=b).stdout.strip() == "500"


def test_apparmor_profile_refused_clearly(rt: Runtime) -> None:
    b = rt.edit(rt.bundle(["true"]),
                lambda c: c["process"].__setitem__("apparmorProfile", "docker-default"))
    res = rt.run([], bundle=b, check=False)
    assert res.returncode == 1 and "AppArmor is not enabled" in res.stderr
