from __future__ import annotations

import pytest

from berth.errdefs import InvalidArgument, NotFound
from berth.oci import platforms
from berth.oci.descriptor import Descriptor, Platform


@pytest.mark.parametrize(("spec", "want"), [
    ("linux/amd64", "linux/amd64"),
    ("linux/x86_64", "linux/amd64"),
    ("linux/amd64/v1", "linux/amd64"),
    ("linux/amd64/v3", "linux/amd64/v3"),
    ("linux/aarch64", "linux/arm64"),
    ("linux/arm64/v8", "linux/arm64"),
    ("linux/arm", "linux/arm/v7"),
    ("linux/armhf", "linux/arm/v7"),
    ("linux/armel", "linux/arm/v6"),
    ("linux/arm/6", "linux/arm/v6"),
    ("Linux/386", "linux/386"),
    ("i386", "linux/386"),
    ("windows/amd64", "windows/amd64"),
    ("macos/arm64", "darwin/arm64"),
])
def test_parse_normalises(spec: str, want: str) -> None:
    assert platforms.to_string(platforms.parse(spec)) == want


@pytest.mark.parametrize("bad", ["", "linux//amd64", "a/b/c/d", "/amd64"])
def test_parse_rejects(bad: str) -> None:
    with pytest.raises(InvalidArgument):
        platforms.parse(bad)


def test_host_is_linux_and_normalised() -> None:
    h = platforms.host()
    assert h.os == "linux"
    assert h.architecture in {"amd64", "arm64", "arm", "386", "ppc64le", "s390x", "riscv64"}


def test_single_os_word_uses_host_arch() -> None:
    assert platforms.parse("linux").architecture == platforms.host().architecture


@pytest.mark.parametrize(("want", "cand", "ok"), [
    ("linux/amd64/v3", "linux/amd64/v2", True),
    ("linux/amd64/v3", "linux/amd64", True),
    ("linux/amd64", "linux/amd64/v2", False),
    ("linux/amd64", "linux/386", True),
    ("linux/arm64", "linux/arm/v7", True),
    ("linux/arm/v7", "linux/arm/v6", True),
    ("linux/arm/v6", "linux/arm/v7", False),
    ("linux/amd64", "linux/arm64", False),
    ("linux/amd64", "windows/amd64", False),
])
def test_matches(want: str, cand: str, ok: bool) -> None:
    assert platforms.matches(platforms.parse(want), platforms.parse(cand)) is ok


def _desc(n: int, os: str, arch: str, variant: str = "", **ann: str) -> Descriptor:
    return Descriptor(mediaType="application/vnd.oci.image.manifest.v1+json",
                      digest="sha256:" + f"{n:x}" * 64, size=1,
                      platform=Platform(os=os, architecture=arch, variant=variant),
                      annotations=dict(ann))


def test_select_manifest_prefers_best_match_and_skips_attestations() -> None:
    ms = [_desc(1, "unknown", "unknown", **{"vnd.docker.reference.type": "attestation-manifest"}),
          _desc(2, "linux", "386"), _desc(3, "linux", "arm64"), _desc(4, "linux", "amd64"),
          _desc(5, "linux", "amd64", "v2")]
    assert platforms.select_manifest(ms, platforms.parse("linux/amd64/v3")).digest == ms[4].digest
    assert platforms.select_manifest(ms, platforms.parse("linux/amd64")).digest == ms[3].digest
    got = platforms.select_manifest(ms[:3], platforms.parse("linux/amd64"))
    assert got.digest == ms[1].digest
    with pytest.raises(NotFound, match="no matching manifest for linux/s390x"):
        platforms.select_manifest(ms, platforms.parse("linux/s390x"))


def test_sort_candidates_orders_by_rank() -> None:
    items = ["linux/arm/v5", "linux/arm/v7", "linux/amd64", "linux/arm/v6"]
    got = platforms.sort_candidates(platforms.parse("linux/arm/v7"), items, platforms.parse)
    assert got == ["linux/arm/v7", "linux/arm/v6", "linux/arm/v5"]
