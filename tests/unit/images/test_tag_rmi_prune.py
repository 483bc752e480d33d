from __future__ import annotations

import io

import pytest
from imgtest_util import Events, tar_of

from berth.errdefs import Conflict, InvalidArgument, NotFound
from berth.images import ImageService


def _img(svc: ImageService, content: bytes, repo: str | None = "app", tag: str | None = None,
         changes: list[str] | None = None) -> str:
    return svc.import_image(io.BytesIO(tar_of({"f": content})), repo=repo, tag=tag,
                            changes=changes or [], message="", platform=None)


def test_resolve_forms(svc: ImageService) -> None:
    iid = _img(svc, b"1", "app", "v1")
    hexid = iid.removeprefix("sha256:")
    for name in ("app:v1", "docker.io/library/app:v1", iid, hexid, hexid[:12],
                 "sha256:" + hexid[:8]):
        assert svc.resolve(name).id == iid
    with pytest.raises(NotFound, match=r"^No such image: app:latest$"):
        svc.resolve("app")
    with pytest.raises(NotFound, match="No such image: nope:latest"):
        svc.inspect_image("nope")
    with pytest.raises(InvalidArgument, match="invalid reference format"):
        svc.resolve("bad name!")


def test_tag_and_untag_events(svc: ImageService, events: Events) -> None:
    iid = _img(svc, b"1", "app", "v1")
    svc.tag_image("app:v1", "localhost:5000/x/app", "v2")
    svc.tag_image(iid[7:19], "app:v3")
    assert sorted(svc.inspect_image(iid)["RepoTags"]) == ["app:v1", "app:v3",
                                                          "localhost:5000/x/app:v2"]
    assert ("tag", iid, {"name": "localhost:5000/x/app:v2"}) in events
    assert svc.inspect_image(iid)["Metadata"]["LastTagTime"] != "0001-01-01T00:00:00Z"
    with pytest.raises(InvalidArgument):
        svc.tag_image(iid, "Upper")
    with pytest.raises(NotFound):
        svc.tag_image("ghost", "x")


def test_rmi_by_tag_untags_then_deletes_last(svc: ImageService, events: Events) -> None:
    iid = _img(svc, b"1", "app", "v1")
    svc.tag_image(iid, "app", "v2")
    assert svc.remove_image("app:v1") == [{"Untagged": "app:v1"}]
    assert svc.resolve("app:v2").id == iid
    assert svc.remove_image("app:v2") == [{"Untagged": "app:v2"}, {"Deleted": iid}]
    assert ("delete", iid, {"name": iid}) in events and ("untag", iid, {"name": "app:v2"}) in events
    assert svc.list_images() == []
    assert list(svc.content.walk()) == [] and list(svc.snapshotter.walk()) == []


def test_rmi_by_id_with_repos_needs_force(svc: ImageService) -> None:
    iid = _img(svc, b"1", "app", "v1")
    svc.tag_image(iid, "app", "v2")
    # one repository, several tags: removable by ID without force (moby)
    out = svc.remove_image(iid[7:19])
    assert {"Deleted": iid} in out and len(out) == 3
    iid = _img(svc, b"1", "app", "v1")
    svc.tag_image(iid, "other", "x")
    with pytest.raises(Conflict, match=r"unable to delete [0-9a-f]{12} \(must be forced\) - "
                                       "image is referenced in multiple repositories"):
        svc.remove_image(iid)
    assert len(svc.inspect_image(iid)["RepoTags"]) == 2  # nothing changed
    out = svc.remove_image(iid, force=True)
    assert out[-1] == {"Deleted": iid}


def test_rmi_refused_while_container_uses_image(svc: ImageService) -> None:
    iid = _img(svc, b"1", "busybox", None)
    svc.in_use = lambda image_id: ["c0ffee" * 10] if image_id == iid else []
    with pytest.raises(Conflict, match='unable to remove repository reference "busybox" '
                                       r"\(must force\) - container c0ffeec0ffee is using"):
        svc.remove_image("busybox")
    with pytest.raises(Conflict, match="being used by stopped container c0ffeec0ffee"):
        svc.remove_image(iid)
    assert svc.resolve("busybox").id == iid
    assert svc.remove_image("busybox", force=True)[0] == {"Untagged": "busybox:latest"}


def test_shared_layers_survive_until_last_image(svc: ImageService) -> None:
    a = _img(svc, b"same", "a", None)
    b = _img(svc, b"same", "b", None, changes=["CMD x"])
    assert a != b
    assert svc.resolve(a).top_chain == svc.resolve(b).top_chain
    svc.remove_image("a")
    assert svc.snapshotter.stat(svc.resolve(b).top_chain)
    du = svc.disk_usage()
    assert du["LayersSize"] == svc.resolve(b).size and len(du["Images"]) == 1
    svc.remove_image("b")
    assert list(svc.snapshotter.walk()) == []


def test_prune_dangling_and_all(svc: ImageService, events: Events) -> None:
    keep = _img(svc, b"keep", "keep", None, changes=["LABEL keep=yes"])
    dang = _img(svc, b"dangling", None, None)
    other = _img(svc, b"other", "other", None)
    res = svc.prune_images({})
    assert res["ImagesDeleted"] == [{"Deleted": dang}] and res["SpaceReclaimed"] > 0
    assert events[-1][0] == "prune"
    assert svc.prune_images(None) == {"ImagesDeleted": None, "SpaceReclaimed": 0}
    res = svc.prune_images({"dangling": ["false"], "label!": ["keep=yes"]})
    assert res["ImagesDeleted"] == [{"Untagged": "other:latest"}, {"Deleted": other}]
    assert [i["Id"] for i in svc.list_images()] == [keep]
    with pytest.raises(InvalidArgument, match="invalid filter 'bogus'"):
        svc.prune_images({"bogus": ["1"]})
    old = svc.prune_images({"dangling": ["false"], "until": ["2000-01-01"]})
    assert old["ImagesDeleted"] is None


def test_list_filters(svc: ImageService) -> None:
    a = _img(svc, b"a", "web/app", "1", changes=["LABEL tier=front env=prod"])
    b = _img(svc, b"b", "web/api", "2", changes=["LABEL tier=back"])
    c = _img(svc, b"c", None, None)
    ids = lambda f: sorted(i["Id"] for i in svc.list_images(filters=f))  # noqa: E731
    assert ids({}) == sorted([a, b, c])
    assert ids({"dangling": ["true"]}) == [c]
    assert ids({"dangling": ["false"]}) == sorted([a, b])
    assert ids({"label": ["tier"]}) == sorted([a, b])
    assert ids({"label": ["tier=front", "env=prod"]}) == [a]
    assert ids({"reference": ["web/*"]}) == sorted([a, b])
    assert ids({"reference": ["web/app:1"]}) == [a]
    assert ids({"reference": ["*"]}) == []  # '*' does not cross '/'
    summary = svc.list_images(filters={"reference": ["web/app"]})[0]
    assert summary["RepoTags"] == ["web/app:1"] and summary["Containers"] == -1
    assert set(summary) == {"Containers", "Created", "Id", "Labels", "ParentId", "RepoDigests",
                            "RepoTags", "SharedSize", "Size"}
    assert ids({"until": ["0"]}) == []
    with pytest.raises(InvalidArgument, match="invalid filter 'nope'"):
        svc.list_images(filters={"nope": ["x"]})
    with pytest.raises(InvalidArgument, match="dangling"):
        svc.list_images(filters={"dangling": ["maybe"]})
    assert svc.counts() == {"Images": 3}
