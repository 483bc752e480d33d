"""Platform strings: parse, normalise, host default, and match/sort like containerd.

A matcher for a wanted platform accepts an ordered list of compatible platforms (best
first): ``amd64/v3`` also runs ``v2``, ``v1`` and ``386``; ``arm64`` runs ``arm/v7…v5``;
``arm/v7`` runs ``v6``, ``v5`` (containerd ``platforms/compare.go``).
"""

from __future__ import annotations

import platform as _host
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from berth.errdefs import InvalidArgument, NotFound
from berth.oci.descriptor import Descriptor, Platform

T = TypeVar("T")

_KNOWN_OS = {"linux", "windows", "darwin", "freebsd", "netbsd", "openbsd", "solaris",
             "illumos", "aix", "android", "ios", "plan9", "js", "wasip1", "dragonfly"}
_ARCH_ALIASES = {"i386": "386", "x86_64": "amd64", "x86-64": "amd64", "aarch64": "arm64",
                 "armhf": "arm", "armel": "arm"}
_ARCH_DEFAULT_VARIANT = {"armhf": "v7", "armel": "v6"}


def normalize_arch(arch: str, variant: str) -> tuple[str, str]:
    """Canonical (architecture, variant): ``aarch64`` → ``arm64``, ``armhf`` → ``arm/v7``."""
    a = arch.lower()
    v = variant.lower()
    if not v and a in _ARCH_DEFAULT_VARIANT:
        v = _ARCH_DEFAULT_VARIANT[a]
    a = _ARCH_ALIASES.get(a, a)
    if v and v.isdigit():
        v = f"v{v}"
    if (a, v) in (("amd64", "v1"), ("arm64", "v8")):
        v = ""
    elif a == "arm" and not v:
        v = "v7"
    return a, v


def normalize(p: Platform) -> Platform:
    os_ = (p.os or "linux").lower()
    os_ = "darwin" if os_ == "macos" else os_
    arch, variant = normalize_arch(p.architecture, p.variant)
    return Platform(architecture=arch, os=os_, variant=variant, os_version=p.os_version,
                    os_features=list(p.os_features))


def parse(spec: str) -> Platform:
    """``linux``, ``amd64``, ``linux/arm64``, ``linux/arm/v7`` → normalised Platform."""
    parts = spec.strip().split("/")
    if not spec.strip() or len(parts) > 3 or any(not part for part in parts):
        raise InvalidArgument(f"{spec!r}: invalid platform format: expected os/arch[/variant]")
    if len(parts) == 1:
        word = parts[0].lower()
        if word in _KNOWN_OS:
            return normalize(Platform(os=word, architecture=host().architecture,
                                      variant=host().variant))
        return normalize(Platform(os="linux", architecture=word))
    variant = parts[2] if len(parts) == 3 else ""
    return normalize(Platform(os=parts[0], architecture=parts[1], variant=variant))


def to_string(p: Platform) -> str:
    """``os/arch[/variant]`` of the normalised platform (containerd ``platforms.Format``)."""
    return str(normalize(p))


def host() -> Platform:
    """The platform of this machine (linux; architecture from uname)."""
    arch, variant = normalize_arch(_host.machine(), "")
    return Platform(os="linux", architecture=arch, variant=variant)


def compatible(want: Platform) -> list[Platform]:
    """Platforms ``want`` can run, best first."""
    w = normalize(want)
    out = [w]
    if w.architecture == "amd64":
        level = int(w.variant[1:]) if w.variant[1:].isdigit() else 1
        out += [Platform(os=w.os, architecture="amd64", variant=f"v{n}" if n > 1 else "")
                for n in range(level - 1, 0, -1)]
        out.append(Platform(os=w.os, architecture="386"))
    elif w.architecture == "arm64":
        out += [Platform(os=w.os, architecture="arm", variant=f"v{n}") for n in (8, 7, 6, 5)]
    elif w.architecture == "arm" and w.variant[1:].isdigit():
        out += [Platform(os=w.os, architecture="arm", variant=f"v{n}")
                for n in range(int(w.variant[1:]) - 1, 4, -1)]
    return out


def _key(p: Platform) -> tuple[str, str, str]:
    return (p.os, p.architecture, p.variant)


def rank(want: Platform, candidate: Platform) -> int | None:
    """Position of ``candidate`` in ``want``'s compatibility list; None if it cannot run."""
    c = normalize(candidate)
    if want.os_version and c.os == "windows" and c.os_version and \
            c.os_version.rsplit(".", 1)[0] != want.os_version.rsplit(".", 1)[0]:
        return None
    for i, p in enumerate(compatible(want)):
        if _key(p) == _key(c):
            return i
    return None


def matches(want: Platform, candidate: Platform) -> bool:
    return rank(want, candidate) is not None


def sort_candidates(want: Platform, items: Iterable[T],
                    platform_of: Callable[[T], Platform | None]) -> list[T]:
    """Items that can run on ``want``, best first (stable for ties)."""
    ranked: list[tuple[int, int, T]] = []
    for n, item in enumerate(items):
        p = platform_of(item)
        r = rank(want, p) if p is not None else None
        if r is not None:
            ranked.append((r, n, item))
    return [item for _, _, item in sorted(ranked, key=lambda t: (t[0], t[1]))]


def is_attestation(d: Descriptor) -> bool:
    """Buildx attestation manifests sit in indexes as ``unknown/unknown``: never runnable."""
    return "vnd.docker.reference.type" in d.annotations or (
        d.platform is not None and d.platform.os == "unknown")


def select_manifest(manifests: Sequence[Descriptor], want: Platform) -> Descriptor:
    """The best manifest of an index for ``want``, or moby's "no matching manifest" error."""
    runnable = [d for d in manifests if d.platform is not None and not is_attestation(d)]
    best = sort_candidates(want, runnable, lambda d: d.platform)
    if not best:
        raise NotFound(
            f"no matching manifest for {to_string(want)} in the manifest list entries")
    return best[0]
