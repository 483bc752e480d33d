from __future__ import annotations

import pytest

from berth import errdefs


@pytest.mark.parametrize(("exc", "status"), [
    (errdefs.NotFound("No such image: x"), 404),
    (errdefs.Conflict("in use"), 409),
    (errdefs.InvalidArgument("bad"), 400),
    (errdefs.FailedPrecondition("not now"), 409),
    (errdefs.Unavailable("busy"), 503),
    (errdefs.PermissionDenied("no"), 403),
    (errdefs.NotImplementedYet("later"), 501),
    (errdefs.DataLoss("corrupt"), 500),
    (RuntimeError("boom"), 500),
])
async def test_taxonomy_maps_to_status(client, fakes, exc: Exception, status: int) -> None:
    fakes.images.raise_on["inspect_image"] = exc
    resp = await client.get("/images/busybox/json")
    assert resp.status == status
    assert resp.content_type == "application/json"
    assert await resp.json() == {"message": str(exc)}


async def test_not_modified_has_no_body(client, fakes) -> None:
    fakes.images.raise_on["tag_image"] = errdefs.NotModified("same")
    resp = await client.post("/images/busybox/tag?repo=x&tag=y")
    assert resp.status == 304
    assert await resp.read() == b""
