from __future__ import annotations

import json

import pytest

from berth import errdefs


def lines(body: bytes) -> list[dict]:
    return [json.loads(line) for line in body.splitlines() if line.strip()]


async def test_list_passes_parsed_query(client, fakes) -> None:
    resp = await client.get('/v1.44/images/json?all=1&digests=True'
                            '&filters={"label":{"a=b":true}}')
    assert resp.status == 200
    assert await resp.json() == [{"Id": "sha256:" + "a" * 64}]
    assert fakes.images.calls == [("list_images", {"all": True, "digests": True,
                                                   "filters": {"label": ["a=b"]}})]


async def test_list_legacy_filter_param_before_1_41(client, fakes) -> None:
    await client.get("/v1.40/images/json?filter=busybox")
    assert fakes.images.calls[0][1]["filters"] == {"reference": ["busybox"]}


async def test_malformed_filters_change_nothing(client, fakes) -> None:
    resp = await client.get("/images/json?filters={oops")
    assert resp.status == 400
    assert "invalid filter" in (await resp.json())["message"]
    assert fakes.images.calls == []


async def test_names_with_slashes_and_digests(client, fakes) -> None:
    name = "docker.io/library/busybox@sha256:" + "f" * 64
    fakes.images.images[name] = {"Id": "x"}
    assert (await client.get(f"/images/{name}/json")).status == 200
    assert (await client.get(f"/images/{name}/history")).status == 200
    assert fakes.images.calls[0] == ("inspect_image", name)


async def test_missing_image_is_404(client) -> None:
    resp = await client.get("/images/nope/json")
    assert resp.status == 404
    assert await resp.json() == {"message": "No such image: nope"}


async def test_tag_remove_prune(client, fakes) -> None:
    resp = await client.post("/images/a/b:1/tag?repo=reg:5000/c&tag=2")
    assert resp.status == 201
    resp = await client.delete("/images/a/b:1?force=1&noprune=false")
    assert await resp.json() == [{"Untagged": "a/b:1"}]
    resp = await client.post('/images/prune?filters={"dangling":{"true":true}}')
    assert (await resp.json())["SpaceReclaimed"] == 0
    assert fakes.images.calls == [("tag_image", ("a/b:1", "reg:5000/c", "2")),
                                  ("remove_image", ("a/b:1", True, False)),
                                  ("prune_images", {"dangling": ["true"]})]


async def test_prune_rejects_unknown_filter(client, fakes) -> None:
    resp = await client.post('/images/prune?filters={"bogus":{"x":true}}')
    assert resp.status == 400
    assert await resp.json() == {"message": "invalid filter 'bogus'"}
    assert fakes.images.calls == []


async def test_load_streams_body_and_reports(client, fakes) -> None:
    fakes.images.load_progress = [{"status": "Loading layer", "id": "abc"}]
    body = bytes(range(256)) * 20_000  # 5 MB, several times the pipe limit

    async def chunks():
        for i in range(0, len(body), 65536):
            yield body[i:i + 65536]

    resp = await client.post("/images/load", data=chunks())
    assert resp.status == 200
    assert resp.headers["Content-Type"] == "application/json"
    assert lines(await resp.read()) == [
        {"status": "Loading layer", "id": "abc"},
        {"stream": "Loaded image: busybox:latest\n"}]
    assert fakes.images.loaded_bytes == body


async def test_load_quiet_hides_progress(client, fakes) -> None:
    fakes.images.load_progress = [{"status": "Loading layer", "progressDetail": {}}]
    resp = await client.post("/images/load?quiet=1", data=b"tar")
    assert lines(await resp.read()) == [{"stream": "Loaded image: busybox:latest\n"}]


async def test_load_error_before_output_is_http_error(client, fakes) -> None:
    fakes.images.raise_on["load_images"] = errdefs.InvalidArgument("not a tar")
    resp = await client.post("/images/load", data=b"junk")
    assert resp.status == 400
    assert await resp.json() == {"message": "not a tar"}


async def test_load_error_after_output_is_in_band(client, fakes) -> None:
    fakes.images.load_progress = [{"status": "Loading layer"}]
    fakes.images.load_fail_after_progress = errdefs.DataLoss("digest mismatch")
    resp = await client.post("/images/load", data=b"junk")
    assert resp.status == 200
    assert lines(await resp.read())[-1] == {"errorDetail": {"message": "digest mismatch"},
                                            "error": "digest mismatch"}


@pytest.mark.parametrize("path", ["/images/get?names=busybox:latest",
                                  "/images/busybox:latest/get"])
async def test_save_streams_tar(client, fakes, path: str) -> None:
    fakes.images.save_payload = bytes(range(256)) * 12_000  # 3 MB
    resp = await client.get(path)
    assert resp.status == 200
    assert resp.headers["Content-Type"] == "application/x-tar"
    assert await resp.read() == fakes.images.save_payload


async def test_save_missing_image_is_404_before_streaming(client) -> None:
    resp = await client.get("/images/get?names=nope")
    assert resp.status == 404
    assert await resp.json() == {"message": "No such image: nope"}


async def test_save_without_names_is_400(client, fakes) -> None:
    resp = await client.get("/images/get")
    assert resp.status == 400
    assert fakes.images.calls == []


async def test_import_from_body(client, fakes) -> None:
    resp = await client.post("/images/create?fromSrc=-&repo=foo:imp&message=hi"
                             "&changes=CMD%20%5B%22sh%22%5D&changes=ENV%20A=1", data=b"layer")
    assert resp.status == 200
    assert lines(await resp.read()) == [{"status": "sha256:" + "c" * 64}]
    (name, args), = fakes.images.calls
    assert name == "import_image"
    assert args == {"repo": "foo:imp", "tag": "", "changes": ['CMD ["sh"]', "ENV A=1"],
                    "message": "hi", "platform": None, "data": b"layer"}


async def test_import_from_url_and_missing_source(client, fakes) -> None:
    resp = await client.post("/images/create?fromSrc=http://x/y.tar")
    assert resp.status == 501
    resp = await client.post("/images/create")
    assert resp.status == 400
    assert fakes.images.calls == []


async def test_pull_without_registry_is_clear_501(client) -> None:
    resp = await client.post("/images/create?fromImage=docker.io/library/alpine&tag=latest")
    assert resp.status == 501
    msg = (await resp.json())["message"]
    assert "docker.io/library/alpine:latest" in msg and "registry" in msg


async def test_system_df(client) -> None:
    resp = await client.get("/system/df")
    assert await resp.json() == {"LayersSize": 42, "Images": [{"Id": "x"}], "Containers": [],
                                 "Volumes": [], "BuildCache": []}
    resp = await client.get("/system/df?type=volume")
    assert await resp.json() == {"Volumes": []}
    resp = await client.get("/system/df?type=bogus")
    assert resp.status == 400


async def test_containers_list_is_empty_and_validates(client) -> None:
    assert await (await client.get("/containers/json?all=1")).json() == []
    assert (await client.get("/containers/json?filters=[")).status == 400
