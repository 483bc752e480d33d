from __future__ import annotations

import re

import pytest

from berth.errdefs import InvalidArgument
from berth.oci import reference

D = "sha256:" + "a" * 64

VALID = [
    # input, full string, familiar, (domain, path, tag, digest)
    ("busybox", "docker.io/library/busybox", "busybox", ("docker.io", "library/busybox", "", "")),
    ("busybox:latest", "docker.io/library/busybox:latest", "busybox:latest", None),
    ("library/busybox:1.36", "docker.io/library/busybox:1.36", "busybox:1.36", None),
    ("docker.io/library/busybox", "docker.io/library/busybox", "busybox", None),
    ("index.docker.io/library/busybox", "docker.io/library/busybox", "busybox", None),
    ("user/app:v1", "docker.io/user/app:v1", "user/app:v1", None),
    ("docker.io/user/app", "docker.io/user/app", "user/app", None),
    ("localhost:5000/a/b:t", "localhost:5000/a/b:t", "localhost:5000/a/b:t",
     ("localhost:5000", "a/b", "t", "")),
    ("localhost/app", "localhost/app", "localhost/app", ("localhost", "app", "", "")),
    ("quay.io/org/img", "quay.io/org/img", "quay.io/org/img", None),
    ("Example.com/x", "Example.com/x", "Example.com/x", None),
    (f"busybox@{D}", f"docker.io/library/busybox@{D}", f"busybox@{D}",
     ("docker.io", "library/busybox", "", D)),
    (f"busybox:1@{D}", f"docker.io/library/busybox:1@{D}", f"busybox:1@{D}", None),
    ("[::1]:5000/x:y", "[::1]:5000/x:y", "[::1]:5000/x:y", None),
    ("a__b/c-d.e:T_1.x-y", "docker.io/a__b/c-d.e:T_1.x-y", "a__b/c-d.e:T_1.x-y", None),
    ("docker.io/library/a/b", "docker.io/library/a/b", "library/a/b", None),
]


@pytest.mark.parametrize(("text", "full", "familiar", "parts"), VALID)
def test_parse_valid(text: str, full: str, familiar: str, parts: tuple[str, ...] | None) -> None:
    ref = reference.parse(text)
    assert str(ref) == full
    assert ref.familiar == familiar
    if parts is not None:
        assert (ref.domain, ref.path, ref.tag, ref.digest) == parts


INVALID = [
    ("", "invalid reference format"),
    ("Busybox", "repository name (library/Busybox) must be lowercase"),
    ("library/BusyBox:1", "repository name (library/BusyBox) must be lowercase"),
    ("busybox:", "invalid reference format"),
    ("busybox:-tag", "invalid reference format"),
    ("busy box", "invalid reference format"),
    ("busybox@sha256:abc", "invalid reference format"),
    ("a" * 64, "cannot specify 64-byte hexadecimal strings"),
    ("/busybox", "invalid reference format"),
    ("busybox/", "invalid reference format"),
    ("-busybox", "invalid reference format"),
    ("busybox:" + "t" * 129, "invalid reference format"),
    ("x/" + "a" * 260, "must not be more than 255 characters"),
    ("busybox@md5:" + "a" * 32, "unsupported digest algorithm"),
]


@pytest.mark.parametrize(("text", "message"), INVALID)
def test_parse_invalid(text: str, message: str) -> None:
    with pytest.raises(InvalidArgument, match=re.escape(message)):
        reference.parse(text)


def test_tagged_defaults_latest_only_without_digest() -> None:
    assert str(reference.parse_tagged("busybox")) == "docker.io/library/busybox:latest"
    assert reference.parse_tagged(f"busybox@{D}").tag == ""
    assert reference.parse("busybox").tagged().familiar == "busybox:latest"


def test_repo_tag_rules() -> None:
    assert str(reference.parse_repo_tag("foo", "1")) == "docker.io/library/foo:1"
    assert str(reference.parse_repo_tag("foo:2", None)) == "docker.io/library/foo:2"
    assert str(reference.parse_repo_tag("foo", None)) == "docker.io/library/foo:latest"
    with pytest.raises(InvalidArgument, match="digest reference"):
        reference.parse_repo_tag(f"foo@{D}", None)
    with pytest.raises(InvalidArgument, match="invalid tag format"):
        reference.parse_repo_tag("foo", "bad tag")


def test_familiar_name_keeps_non_default_domains() -> None:
    assert reference.parse("localhost:5000/busybox").familiar_name == "localhost:5000/busybox"
    assert reference.parse("busybox:1").name == "docker.io/library/busybox"
    assert reference.is_valid("busybox") and not reference.is_valid("BUSYBOX")


_D = "sha256:" + "a" * 64


@pytest.mark.parametrize("text", [
    "busybox:latest", "user/app:1", "localhost:5000/x:tag", "docker.io/library/busybox:latest",
    "library/busybox:latest", f"host.io/a/b@{_D}", f"busybox@{_D}", "localhost:5000/x",
    "registry:5000/x:t", "index.docker.io/user/app:v2", "a/b/c:1.0", f"busybox:1@{_D}",
    "localhost/x:y",
])
def test_split_familiar_agrees_with_parse(text: str) -> None:
    r = reference.parse(text)
    assert reference.split_familiar(text) == (r.familiar_name, r.tag, r.digest)


def test_reference_is_immutable_and_compares_by_value() -> None:
    a, b = reference.parse("busybox:1"), reference.parse("docker.io/library/busybox:1")
    assert a == b and hash(a) == hash(b) and a != reference.parse("busybox:2")
    with pytest.raises(AttributeError):
        a.tag = "2"
