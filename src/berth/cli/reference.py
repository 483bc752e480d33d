"""Image reference parsing (distribution/reference's grammar), for the CLI's own checks.

``tag`` validates and normalises its target (``foo`` → ``docker.io/library/foo``) and
``images`` groups RepoTags by familiar name, exactly as the docker CLI does client-side.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from berth.errdefs import InvalidArgument

DEFAULT_DOMAIN = "docker.io"
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*"
_DOMAIN_PART = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = rf"(?:{_DOMAIN_PART}(?:\.{_DOMAIN_PART})*|\[[0-9a-fA-F:.]+\])(?::[0-9]+)?"
_TAG = r"[\w][\w.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"
_ANY_NAME = rf"(?:{_DOMAIN}/)?[a-zA-Z0-9._/-]+?"
_REF = re.compile(rf"^(?P<name>(?:{_DOMAIN}/)?{_COMPONENT}(?:/{_COMPONENT})*)"
                  rf"(?::(?P<tag>{_TAG}))?(?:@(?P<digest>{_DIGEST}))?$")
_LOOSE = re.compile(rf"^(?P<name>{_ANY_NAME})(?::{_TAG})?(?:@{_DIGEST})?$")
_HEX64 = re.compile(r"^[a-f0-9]{64}$")


@dataclass(frozen=True)
class Reference:
    """A normalised reference: ``domain/path[:tag][@digest]``."""

    domain: str
    path: str
    tag: str = ""
    digest: str = ""

    @property
    def name(self) -> str:
        return f"{self.domain}/{self.path}"

    @property
    def familiar_name(self) -> str:
        """``docker.io/library/alpine`` → ``alpine``; other registries stay whole."""
        if self.domain != DEFAULT_DOMAIN:
            return self.name
        return self.path.removeprefix("library/") if self.path.count("/") == 1 else self.path

    def __str__(self) -> str:
        out = self.name
        if self.tag:
            out += ":" + self.tag
        if self.digest:
            out += "@" + self.digest
        return out


def _split_domain(name: str) -> tuple[str, str]:
    first, sep, rest = name.partition("/")
    if not sep or ("." not in first and ":" not in first and first != "localhost"
                   and first.lower() == first):
        domain, path = DEFAULT_DOMAIN, name
    else:
        domain, path = first, rest
    if domain == "index.docker.io":
        domain = DEFAULT_DOMAIN
    if domain == DEFAULT_DOMAIN and "/" not in path:
        path = "library/" + path
    return domain, path


def parse_normalized(ref: str) -> Reference:
    """ParseNormalizedNamed: raises InvalidArgument with distribution's wording."""
    if _HEX64.match(ref):
        raise InvalidArgument(f"invalid repository name ({ref}), cannot specify 64-byte "
                              "hexadecimal strings")
    m = _REF.match(ref)
    if not m:
        loose = _LOOSE.match(ref)
        if loose and loose.group("name").lower() != loose.group("name"):
            domain, path = _split_domain(loose.group("name"))
            if path.lower() != path:
                raise InvalidArgument("invalid reference format: repository name "
                                      f"({path}) must be lowercase")
        raise InvalidArgument("invalid reference format")
    domain, path = _split_domain(m.group("name"))
    if len(domain) + 1 + len(path) > 255:
        raise InvalidArgument("invalid reference format: repository name must not be more "
                              "than 255 characters")
    return Reference(domain, path, m.group("tag") or "", m.group("digest") or "")


def is_image_id(ref: str) -> bool:
    """A full 64-hex ID (with or without ``sha256:``), which ParseAnyReference accepts."""
    return bool(_HEX64.match(ref.removeprefix("sha256:")))


def familiar(ref: str) -> str:
    """FamiliarString of a normalised reference string (for display)."""
    r = parse_normalized(ref)
    out = r.familiar_name
    if r.tag:
        out += ":" + r.tag
    if r.digest:
        out += "@" + r.digest
    return out
