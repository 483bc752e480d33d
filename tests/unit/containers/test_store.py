"""Records, names, lookups and the state machine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from berth.containers import names, state
from berth.containers.etcfiles import hosts, resolv_conf
from berth.containers.filters import build, validate
from berth.containers.store import AmbiguousPrefix, Store, new_id
from berth.errdefs import Conflict, InvalidArgument, NotFound


def rec(cid: str, name: str) -> dict[str, Any]:
    return {"ID": cid, "Name": name, "Created": state.now_rfc3339(), "State": state.new_state(),
            "Config": {"Labels": {"a": "1"}}, "HostConfig": {}, "Image": "sha256:x"}


def test_ids_and_names() -> None:
    cid = new_id()
    assert len(cid) == 64 and int(cid, 16) >= 0
    assert names.validate("web") == "/web"
    with pytest.raises(InvalidArgument, match=r"Invalid container name \(-x\)"):
        names.validate("-x")
    n = names.generate(lambda _n: False)
    adj, _, sur = n[1:].partition("_")
    assert adj in names.ADJECTIVES and sur in names.SURNAMES


def test_store_lookup_and_persist(tmp_path: Path) -> None:
    s = Store(tmp_path)
    s.load()
    a, b = "abc1" + "0" * 60, "abc2" + "0" * 60
    s.add(rec(a, "/web"))
    s.add(rec(b, "/db"))
    assert s.get(a)["Name"] == "/web" and s.get("web")["ID"] == a and s.get("/db")["ID"] == b
    assert s.get("abc2")["ID"] == b
    with pytest.raises(AmbiguousPrefix, match="Multiple IDs found with provided prefix: abc"):
        s.get("abc")
    with pytest.raises(NotFound, match="No such container: nope"):
        s.get("nope")
    with pytest.raises(Conflict, match=f'The container name "/web" is already in use by '
                                       f'container "{a}"'):
        s.reserve_name("web")
    s.rename(s.get(a), "front")
    s2 = Store(tmp_path)
    s2.load()
    assert s2.get("front")["ID"] == a and s2.name_owner("/web") is None
    (tmp_path / ("f" * 64)).mkdir()  # interrupted create: no record
    s3 = Store(tmp_path)
    s3.load()
    assert not (tmp_path / ("f" * 64)).exists() and len(s3) == 2
    s3.drop(a)
    assert not (tmp_path / a).exists()
    assert json.loads((tmp_path / b / "config.v2.json").read_text())["SchemaVersion"] == 1


def test_state_machine() -> None:
    st = state.new_state()
    state.mark_running("c", st, 42)
    assert st["Running"] and st["Pid"] == 42
    state.transition("c", st, "paused")
    assert st["Paused"] and st["Running"]
    with pytest.raises(Conflict, match="cannot move from paused to removing"):
        state.transition("c", st, "removing")
    state.mark_exited("c", st, 137)
    assert not st["Running"] and st["Pid"] == 0 and st["ExitCode"] == 137
    assert state.status_text(st).startswith("Exited (137) ")
    assert state.status_text(state.new_state()) == "Created"


def test_time_roundtrip() -> None:
    t = 1700000000.25
    assert state.now_rfc3339(t) == "2023-11-14T22:13:20.25Z"
    assert state.parse_time(state.now_rfc3339(t)) == pytest.approx(t)
    assert state.human_duration(2) == "2 seconds" and state.human_duration(90) == \
        "About a minute"


def test_filters() -> None:
    r = rec("a" * 64, "/web")
    r["State"]["Status"] = "exited"
    look = {"web": r}
    match = build(validate({"status": ["exited"], "label": ["a=1"], "name": ["we"]}),
                  look.__getitem__, lambda _a: set())
    assert match(r)
    assert not build(validate({"exited": ["1"]}), look.__getitem__, lambda _a: set())(r)
    with pytest.raises(InvalidArgument, match="invalid filter 'bogus'"):
        validate({"bogus": ["1"]})
    with pytest.raises(InvalidArgument, match="invalid filter 'status=zzz'"):
        validate({"status": ["zzz"]})


def test_etc_files() -> None:
    text = resolv_conf("nameserver 127.0.0.53\nnameserver 10.0.0.1\nsearch lan\n", {})
    assert text == "nameserver 10.0.0.1\nsearch lan\n"
    assert "nameserver 8.8.8.8" in resolv_conf("nameserver 127.0.0.1\n", {})
    assert "127.0.0.53" in resolv_conf("nameserver 127.0.0.53\n", {"NetworkMode": "host"})
    assert resolv_conf("", {"Dns": ["1.1.1.1"], "DnsSearch": ["x"]}) == \
        "nameserver 1.1.1.1\nsearch x\n"
    h = hosts("abc", "", {"ExtraHosts": ["db:10.0.0.2"]}, "")
    assert "127.0.0.1\tlocalhost" in h and "127.0.0.1\tabc\n" in h and "10.0.0.2\tdb" in h
