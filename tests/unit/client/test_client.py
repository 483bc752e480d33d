"""The API client against the fake daemon: negotiation, errors, streams, bodies."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import fakedaemon
import pytest

from berth.client import APIClient, StreamError, iter_json_messages, message_error, negotiated
from berth.client.streams import copy_raw
from berth.errdefs import Conflict, NotFound, Unavailable


@pytest.fixture
def daemon(tmp_path: Path) -> Iterator[tuple[APIClient, fakedaemon.State]]:
    srv, state = fakedaemon.start(str(tmp_path / "d.sock"))
    client = APIClient(f"unix://{tmp_path / 'd.sock'}")
    yield client, state
    client.close()
    srv.shutdown()
    srv.server_close()


def test_negotiation_rules() -> None:
    assert negotiated("1.50") == "1.44"
    assert negotiated("1.41") == "1.41"
    assert negotiated(None) == "1.24"


def test_pings_once_then_uses_versioned_paths(daemon: tuple[APIClient, fakedaemon.State],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    client, state = daemon
    client.images.list()
    client.system.version()
    assert [(r["method"], r["path"]) for r in state.requests] == [
        ("HEAD", "/_ping"), ("GET", "/v1.44/images/json"), ("GET", "/v1.44/version")]


def test_lower_server_version_is_used(tmp_path: Path) -> None:
    srv, state = fakedaemon.start(str(tmp_path / "o.sock"), api_version="1.41")
    try:
        client = APIClient(f"unix://{tmp_path / 'o.sock'}")
        client.system.info()
        assert state.requests[-1]["path"] == "/v1.41/info"
        client.close()
    finally:
        srv.shutdown()
        srv.server_close()


def test_pinned_version_skips_ping(daemon: tuple[APIClient, fakedaemon.State],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    _, state = daemon
    monkeypatch.setenv("DOCKER_API_VERSION", "1.40")
    client = APIClient(daemon[0].host)
    client.images.list()
    assert [r["path"] for r in state.requests] == ["/v1.40/images/json"]
    client.close()


def test_errors_carry_message_and_status(daemon: tuple[APIClient, fakedaemon.State]) -> None:
    client, _ = daemon
    with pytest.raises(NotFound) as exc:
        client.images.inspect("nope")
    assert exc.value.message == "No such image: nope"
    assert exc.value.http_status == 404
    with pytest.raises(Conflict, match="must force"):
        client.images.remove("example.com/team/app:1.0")


def test_unreachable_daemon_is_unavailable(tmp_path: Path) -> None:
    client = APIClient(f"unix://{tmp_path / 'absent.sock'}")
    with pytest.raises(Unavailable) as exc:
        client.images.list()
    assert exc.value.message == (f"Cannot connect to the berth daemon at unix://"
                                 f"{tmp_path / 'absent.sock'}. Is the berth daemon running?")


def test_tag_and_filters_query(daemon: tuple[APIClient, fakedaemon.State]) -> None:
    client, state = daemon
    client.images.tag("alpine", "docker.io/library/foo", "1")
    assert state.requests[-1]["query"] == "repo=docker.io%2Flibrary%2Ffoo&tag=1"
    client.images.list(all=True, filters={"dangling": ["true"]})
    assert state.requests[-1]["query"] == (
        "all=1&filters=%7B%22dangling%22%3A%7B%22true%22%3Atrue%7D%7D")


def test_load_sends_chunked_body_and_streams_messages(
        daemon: tuple[APIClient, fakedaemon.State]) -> None:
    client, state = daemon
    resp = client.images.load(io.BytesIO(b"fake-tar" * 10000), quiet=True)
    msgs = list(iter_json_messages(resp))
    assert msgs == [{"stream": "Loaded image: alpine:latest\n"}]
    assert state.requests[-1]["headers"]["Transfer-Encoding"] == "chunked"
    assert state.bodies[-1] == b"fake-tar" * 10000


def test_in_band_error_is_reported(daemon: tuple[APIClient, fakedaemon.State]) -> None:
    client, _ = daemon
    msgs = list(iter_json_messages(client.images.load(io.BytesIO(b"junk"))))
    err = message_error(msgs[0])
    assert isinstance(err, StreamError) and err.message == "unexpected EOF"


def test_import_query_repeats_changes(daemon: tuple[APIClient, fakedaemon.State]) -> None:
    client, state = daemon
    resp = client.images.import_(io.BytesIO(b"x"), repo="foo:imp", message="m",
                                 changes=["CMD a", "ENV b=c"])
    assert json.loads(resp.read()) == {"status": fakedaemon.IMG_B}
    assert state.requests[-1]["query"] == (
        "fromSrc=-&message=m&repo=foo%3Aimp&changes=CMD+a&changes=ENV+b%3Dc")


def test_save_streams_raw_bytes(daemon: tuple[APIClient, fakedaemon.State]) -> None:
    client, state = daemon
    buf = io.BytesIO()
    assert copy_raw(client.images.save(["alpine", "x"]), buf) == len(state.saved)
    assert buf.getvalue() == state.saved
    assert state.requests[-1]["query"] == "names=alpine&names=x"
