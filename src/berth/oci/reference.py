"""Image references with docker's normalisation (distribution/reference ``normalize.go``).

``busybox`` → ``docker.io/library/busybox`` (+ ``:latest`` via :meth:`Reference.tagged`);
``localhost:5000/a/b:t`` keeps its domain; ``name@sha256:…`` pins; ``name:tag@digest`` keeps
both. :attr:`Reference.familiar` gives the short form docker prints (``busybox:latest``).
Errors carry moby's messages so the CLI prints what users expect.
"""

from __future__ import annotations

from berth.errdefs import InvalidArgument

TYPE_CHECKING = False
if TYPE_CHECKING:
    import re

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
_compiled: dict[str, re.Pattern[str]] = {}
_HEX = frozenset("0123456789abcdef")


def _re(which: str) -> re.Pattern[str]:
    """The grammar's regexes, compiled on first use: importing ``re`` and compiling
    them was ~10 ms of every CLI start that imports this module."""
    pat = _compiled.get(which)
    if pat is None:
        import re
        src = (rf"^({_NAME})(?::({_TAG}))?(?:@({_DIGEST}))?$" if which == "reference"
               else rf"^{_TAG}$")
        pat = _compiled[which] = re.compile(src)
    return pat


def _hex64(s: str) -> bool:
    return len(s) == 64 and _HEX.issuperset(s)

ERR_FORMAT = "invalid reference format"


def _err_lower(path: str) -> InvalidArgument:
    """distribution/reference v0.6 wording, which docker 28 (CLI and daemon) prints."""
    return InvalidArgument(f"invalid reference format: repository name ({path}) must be lowercase")


class Reference:
    """A normalised reference: ``domain/path[:tag][@digest]``. Immutable, compared and
    hashed by value; a plain class because ``dataclasses`` (with ``inspect``) cost the
    CLI ~15 ms of imports on every ``images``."""

    __slots__ = ("digest", "domain", "path", "tag")
    domain: str
    path: str
    tag: str
    digest: str

    def __init__(self, domain: str, path: str, tag: str = "", digest: str = "") -> None:
        for field, value in (("domain", domain), ("path", path), ("tag", tag),
                             ("digest", digest)):
            object.__setattr__(self, field, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Reference is immutable: cannot assign to {name!r}")

    def _key(self) -> tuple[str, str, str, str]:
        return (self.domain, self.path, self.tag, self.digest)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Reference):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (f"Reference(domain={self.domain!r}, path={self.path!r}, tag={self.tag!r}, "
                f"digest={self.digest!r})")

    def _with(self, tag: str, digest: str) -> Reference:
        return Reference(self.domain, self.path, tag, digest)

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
        return self if self.tag or self.digest else self._with(DEFAULT_TAG, self.digest)

    def with_tag(self, tag: str) -> Reference:
        check_tag(tag)
        return self._with(tag, "")

    def with_digest(self, digest: str) -> Reference:
        return self._with("", digest)

    def name_only(self) -> Reference:
        return self._with("", "")


def check_tag(tag: str) -> None:
    if not _re("tag").match(tag):
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
    if _hex64(s):
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
    m = _re("reference").match(s)
    if not m:
        if _re("reference").match(s.lower()):
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


def split_familiar(s: str) -> tuple[str, str, str]:
    """(familiar name, tag, digest) of a reference a daemon returned (``RepoTags``,
    ``RepoDigests``: valid already), normalised as ``parse`` would, without the
    grammar's regexes (``images`` lists many)."""
    name, _, digest = s.partition("@")
    head, sep, last = name.rpartition(":")
    name, tag = (head, last) if sep and "/" not in last else (name, "")
    domain, path = _split_domain(name)
    return Reference(domain, path).familiar_name, tag, digest


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
    return _hex64(s.removeprefix("sha256:"))
