from __future__ import annotations

import pytest

from berth import errdefs
from berth.api.versioning import check_version, less_than


@pytest.mark.parametrize(("a", "b", "lt"), [("1.24", "1.44", True), ("1.44", "1.44", False),
                                            ("1.9", "1.10", True), ("1.44.0", "1.44", False),
                                            ("2", "1.99", False), ("1..2", "1.0.3", True)])
def test_less_than_is_numeric(a: str, b: str, lt: bool) -> None:
    assert less_than(a, b) is lt


def test_check_version_messages() -> None:
    assert check_version("1.30") == "1.30"
    with pytest.raises(errdefs.InvalidArgument, match=r"^client version 1.12 is too old\. "
                       r"Minimum supported API version is 1.24, please upgrade your client "
                       r"to a newer version$"):
        check_version("1.12")
    with pytest.raises(errdefs.InvalidArgument, match=r"^client version 1.50 is too new\. "
                       r"Maximum supported API version is 1.44$"):
        check_version("1.50")


async def test_headers_on_every_response(client) -> None:
    for path in ("/_ping", "/version", "/v1.12/version", "/no/such/route"):
        resp = await client.get(path)
        assert resp.headers["Api-Version"] == "1.44"
        assert resp.headers["Ostype"] == "linux"
        assert resp.headers["Server"].startswith("Berth/")
        assert resp.headers["Server"].endswith("(linux)")


@pytest.mark.parametrize("prefix", ["", "/v1.24", "/v1.30", "/v1.44"])
async def test_prefix_accepted(client, prefix: str) -> None:
    resp = await client.get(prefix + "/version")
    assert resp.status == 200
    assert (await resp.json())["ApiVersion"] == "1.44"


@pytest.mark.parametrize(("version", "message"), [
    ("1.23", "client version 1.23 is too old. Minimum supported API version is 1.24, please "
             "upgrade your client to a newer version"),
    ("1.45", "client version 1.45 is too new. Maximum supported API version is 1.44"),
])
async def test_out_of_range_versions_are_400(client, fakes, version: str, message: str) -> None:
    resp = await client.get(f"/v{version}/images/json")
    assert resp.status == 400
    assert await resp.json() == {"message": message}
    assert fakes.images.calls == []


async def test_ping_get_and_head(client) -> None:
    resp = await client.get("/_ping")
    assert resp.status == 200 and await resp.text() == "OK"
    head = await client.head("/v1.40/_ping")
    assert head.status == 200 and await head.read() == b""
    for r in (resp, head):
        assert r.headers["Builder-Version"] == "1"
        assert r.headers["Docker-Experimental"] == "false"
        assert r.headers["Swarm"] == "inactive"
        assert r.headers["Cache-Control"] == "no-cache, no-store, must-revalidate"
        assert r.headers["Pragma"] == "no-cache"


@pytest.mark.parametrize(("method", "path"), [("GET", "/nope"), ("GET", "/v1.44/nope"),
                                              ("POST", "/_ping"), ("PUT", "/images/json")])
async def test_unknown_routes_are_page_not_found(client, method: str, path: str) -> None:
    resp = await client.request(method, path)
    assert resp.status == 404
    assert await resp.json() == {"message": "page not found"}


async def test_non_numeric_version_prefix_is_not_a_route(client) -> None:
    resp = await client.get("/vabc/version")
    assert resp.status == 404
