"""``docker update`` validation and the resources it writes (moby's messages)."""

from __future__ import annotations

from typing import Any

import pytest

from berth.containers.updateplan import parse_cpuset, plan
from berth.errdefs import Conflict, InvalidArgument

MB = 1 << 20


def hc(**kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"Memory": 0, "MemorySwap": 0, "NanoCpus": 0, "CpuPeriod": 0,
                            "CpuQuota": 0, "PidsLimit": None, "AutoRemove": False,
                            "RestartPolicy": {"Name": "no", "MaximumRetryCount": 0}}
    base.update(kw)
    return base


def p(cur: dict[str, Any], req: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    return plan(cur, req, ncpu=2, cpus_online={0, 1}, mems_online={0})


def test_plan_resources() -> None:
    new, res = p(hc(), {"Memory": 64 * MB, "NanoCpus": 500_000_000, "PidsLimit": 5,
                        "CpuShares": 256, "CpusetCpus": "0-1", "BlkioWeight": 300})
    assert new["Memory"] == 64 * MB and new["PidsLimit"] == 5
    assert res == {"memory": {"limit": 64 * MB},
                   "cpu": {"shares": 256, "period": 100000, "quota": 50000, "cpus": "0-1"},
                   "pids": {"limit": 5}, "blockIO": {"weight": 300}}


def test_unchanged_zero_and_unlimited_pids() -> None:
    new, res = p(hc(Memory=32 * MB, PidsLimit=9), {"Memory": 0, "PidsLimit": -1})
    assert new["Memory"] == 32 * MB and new["PidsLimit"] is None
    assert res == {"pids": {"limit": -1}}


def test_restart_policy() -> None:
    new, res = p(hc(), {"RestartPolicy": {"Name": "on-failure", "MaximumRetryCount": 3}})
    assert new["RestartPolicy"] == {"Name": "on-failure", "MaximumRetryCount": 3}
    assert res == {}
    with pytest.raises(Conflict, match="AutoRemove is enabled"):
        p(hc(AutoRemove=True), {"RestartPolicy": {"Name": "always"}})
    with pytest.raises(InvalidArgument, match="unknown policy 'sometimes'"):
        p(hc(), {"RestartPolicy": {"Name": "sometimes"}})


@pytest.mark.parametrize(("req", "msg"), [
    ({"Memory": 1}, "Minimum memory limit allowed is 6MB"),
    ({"Memory": 64 * MB, "MemorySwap": 32 * MB}, "Minimum memoryswap limit should be larger"),
    ({"MemoryReservation": 1}, "Minimum memory reservation allowed is 6MB"),
    ({"Memory": 8 * MB, "MemoryReservation": 16 * MB}, "can not be less than memory reserv"),
    ({"NanoCpus": 10**9, "CpuPeriod": 1000}, "Nano CPUs and CPU Period cannot both be set"),
    ({"NanoCpus": 10**9, "CpuQuota": 1000}, "Nano CPUs and CPU Quota cannot both be set"),
    ({"NanoCpus": 3 * 10**9}, "Range of CPUs is from 0.01 to 2.00"),
    ({"CpuPeriod": 10}, "CPU cfs period can not be less than 1ms"),
    ({"CpuQuota": 10}, "CPU cfs quota can not be less than 1ms"),
    ({"CpusetCpus": "0-5"}, "Requested CPUs are not available - requested 0-5, available: 0,1"),
    ({"CpusetCpus": "x"}, "Invalid value x for cpuset cpus"),
    ({"BlkioWeight": 5}, "Range of blkio weight is from 10 to 1000"),
])
def test_invalid_requests(req: dict[str, Any], msg: str) -> None:
    with pytest.raises(InvalidArgument, match=msg):
        p(hc(), req)


def test_conflicts_with_current() -> None:
    with pytest.raises(Conflict, match="Memory limit should be smaller than already set"):
        p(hc(Memory=32 * MB, MemorySwap=64 * MB), {"Memory": 100 * MB})
    new, _ = p(hc(Memory=32 * MB, MemorySwap=64 * MB), {"Memory": 100 * MB,
                                                         "MemorySwap": 200 * MB})
    assert new["MemorySwap"] == 200 * MB
    with pytest.raises(Conflict, match="CPU Period cannot be updated as NanoCPUs"):
        p(hc(NanoCpus=10**9), {"CpuPeriod": 5000})
    with pytest.raises(Conflict, match="CPU Quota cannot be updated as NanoCPUs"):
        p(hc(CpuQuota=5000), {"NanoCpus": 10**9})


def test_parse_cpuset() -> None:
    assert parse_cpuset("0-2,5") == {0, 1, 2, 5}
    with pytest.raises(InvalidArgument):
        parse_cpuset("2-1")
