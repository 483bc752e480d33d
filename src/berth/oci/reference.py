"""Image references with docker's normalisation (distribution/reference ``normalize.go``).

``busybox`` → ``docker.io/library/busybox`` (+ ``:latest`` via :meth:`Reference.tagged`);
``localhost:5000/a/b:t`` keeps its domain; ``name@sha256:…`` pins; ``name:tag@digest`` keeps
both. :attr:`Reference.familiar` gives the short form docker prints (``busybox:latest``).
Errors carry moby's messages so the CLI prints what users expect.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from berth.errdefs import InvalidArgument

DEFAULT_DOMAIN = "docker.io"
LEGACY_DOMAIN = "index.docker.io"
OFFICIAL_PREFIX = "library/"
DEFAULT_TAG = "latest"
NAME_MAX = 255

_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*"
_DOMAIN_PART = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_HOST = rf"(?:{_DOMAIN_PART}(?:\.{_DOMAIN_PART})*|\[[a-fA-F0-9:]+\])"
_DOMAIN = rf"{_HOST}(?::[0-9]+)?"
_TAG = r"[\w][\w.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"
_NAME = rf"(?:{_DOMAIN}/)?{_COMPONENT}(?:/{_COMPONENT})*"
_REFERENCE = re.compile(rf"^({_NAME})(?::({_TAG}))?(?:@({_DIGEST}))?$")
_TAG_RE = re.compile(rf"^{_TAG}$")
_HEX64 = re.compile(r"^[a-f0-9]{64}$")

ERR_FORMAT = "invalid reference format"


def _err_lower(path: str) -> InvalidArgument:
    """distribution/reference v0.6 wording, which docker 28 (CLI and daemon) prints."""
    return InvalidArgument(f"invalid reference format: repository name ({path}) must be lowercase")


@dataclass(frozen=True)
class Reference:
    """A normalised reference: ``domain/path[:tag][@digest]``."""

    domain: str
    path: str
    tag: str = ""
    digest: str = ""

    @property
    def name(self) -> str:
        """Repository name with domain: ``docker.io/library/busybox``."""
        return f"{self.domain}/{self.path}"

    @property
    def familiar_name(self) -> str:
        """Repository name as docker prints it: ``busybox``, ``user/app``, ``host:5000/x``."""
        if self.domain != DEFAULT_DOMAIN:
            return self.name
        rest = self.path.removeprefix(OFFICIAL_PREFIX)
        return rest if "/" not in rest else self.path

    def _suffix(self) -> str:
        return (f":{self.tag}" if self.tag else "") + (f"@{self.digest}" if self.digest else "")

    def __str__(self) -> str:
        return self.name + self._suffix()

    @property
    def familiar(self) -> str:
        return self.familiar_name + self._suffix()

    def tagged(self) -> Reference:
        """Add ``:latest`` when neither tag nor digest is set (docker's TagNameOnly)."""
        return self if self.tag or self.digest else replace(self, tag=DEFAULT_TAG)

    def with_tag(self, tag: str) -> Reference:
        check_tag(tag)
        return replace(self, tag=tag, digest="")

    def with_digest(self, digest: str) -> Reference:
        return replace(self, tag="", digest=digest)

    def name_only(self) -> Reference:
        return replace(self, tag="", digest="")


def check_tag(tag: str) -> None:
    if not _TAG_RE.match(tag):
        raise InvalidArgument(f"invalid tag format: {tag!r}")


def _split_domain(name: str) -> tuple[str, str]:
    head, sep, rest = name.partition("/")
    if not sep or ("." not in head and ":" not in head and head != "localhost"
                   and head.lower() == head):
        domain, remainder = DEFAULT_DOMAIN, name
    else:
        domain, remainder = head, rest
    if domain == LEGACY_DOMAIN:
        domain = DEFAULT_DOMAIN
    if domain == DEFAULT_DOMAIN and "/" not in remainder:
        remainder = OFFICIAL_PREFIX + remainder
    return domain, remainder


def parse(s: str) -> Reference:
    """Parse a user-typed reference as docker does (ParseNormalizedNamed)."""
    if _HEX64.match(s):
        raise InvalidArgument(
            f"invalid repository name ({s}), cannot specify 64-byte hexadecimal strings")
    if not s:
        raise InvalidArgument(ERR_FORMAT)
    domain, remainder = _split_domain(s)
    repo = remainder.split("@", 1)[0].split(":", 1)[0]
    if repo.lower() != repo:
        raise _err_lower(repo)
    return _parse_full(f"{domain}/{remainder}")


def _parse_full(s: str) -> Reference:
    m = _REFERENCE.match(s)
    if not m:
        if _REFERENCE.match(s.lower()):
            raise _err_lower(s.split("/", 1)[-1].split("@", 1)[0].split(":", 1)[0])
        raise InvalidArgument(ERR_FORMAT)
    name, tag, digest = m.group(1), m.group(2) or "", m.group(3) or ""
    if len(name) > NAME_MAX:
        raise InvalidArgument(f"repository name must not be more than {NAME_MAX} characters")
    domain, path = name.split("/", 1)
    if digest:
        _check_digest(digest)
    return Reference(domain, path, tag, digest)


def _check_digest(digest: str) -> None:
    algo, _, hexpart = digest.partition(":")
    want = {"sha256": 64, "sha384": 96, "sha512": 128}.get(algo)
    if want is None:
        raise InvalidArgument(f"unsupported digest algorithm: {digest}")
    if len(hexpart) != want or hexpart.lower() != hexpart:
        raise InvalidArgument(f"invalid checksum digest format: {digest}")


def parse_tagged(s: str) -> Reference:
    """Parse and default the tag: what ``docker pull``/``tag`` mean by a bare name."""
    return parse(s).tagged()


def parse_repo_tag(repo: str, tag: str | None) -> Reference:
    """``POST /images/{x}/tag?repo=&tag=``: repo may carry its own tag; no digests allowed."""
    ref = parse(repo)
    if ref.digest:
        raise InvalidArgument("refusing to create a tag with a digest reference")
    if tag:
        ref = ref.with_tag(tag)
    return ref.tagged()


def is_valid(s: str) -> bool:
    try:
        parse(s)
    except InvalidArgument:
        return False
    return True


def is_image_id(s: str) -> bool:
    """A full 64-hex image ID, with or without ``sha256:`` (ParseAnyReference takes these)."""
    return bool(_HEX64.match(s.removeprefix("sha256:")))
