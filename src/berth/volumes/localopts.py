"""The local driver's options (``type``, ``o``, ``device``, ``size``) and the mount(2)
requests they turn into.

Checked at create with docker's messages so a bad volume is never made; mounted lazily
on first use, as docker does (a tmpfs or NFS volume costs nothing until a container runs).
"""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass

from berth.errdefs import InvalidArgument
from berth.mount import MS_BIND, MS_RDONLY, MS_REC, MS_REMOUNT, parse_options

from .names import go_quote

VALID = ("type", "o", "device", "size")
REQUIRED = (("device", ("type",)), ("type", ("device",)), ("o", ("device", "type")))
NETWORK_TYPES = ("nfs", "nfs4", "cifs")
_SIZE = re.compile(r"\A(\d+(?:\.\d+)?) ?([kKmMgGtTpP])?[iI]?[bB]?\Z")
_MULT = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40, "p": 1 << 50}


def ram_in_bytes(value: str) -> int:
    """go-units RAMInBytes: ``100m`` is 100 MiB."""
    m = _SIZE.match(value.strip())
    if not m:
        raise InvalidArgument(f"invalid size: '{value}'")
    return int(float(m.group(1)) * _MULT[(m.group(2) or "").lower()])


def validate(opts: dict[str, str]) -> None:
    """docker's validateOpts (berth has no quota support, so ``size`` > 0 is refused)."""
    for key in opts:
        if key not in VALID:
            raise InvalidArgument(f"invalid option: {go_quote(key)}")
    if opts.get("type") == "cifs" and opts.get("device"):
        host = opts["device"].split("//", 1)[-1].split("/", 1)[0]
        if re.search(r":\d*\Z", host) and not host.endswith("]"):
            raise InvalidArgument("port not allowed in CIFS device URL, include 'port' in 'o='")
    if "size" in opts and ram_in_bytes(opts["size"]) > 0:
        raise InvalidArgument("quota size requested but no quota support")
    for key, needs in REQUIRED:
        if key in opts:
            for need in needs:
                if need not in opts:
                    raise InvalidArgument(f"missing required option: {go_quote(need)}")


def needs_mount(opts: dict[str, str] | None) -> bool:
    return bool(opts) and bool(opts.get("device") or opts.get("type"))  # type: ignore[union-attr]


@dataclass(frozen=True)
class MountCall:
    """One mount(2) request."""

    source: str
    target: str
    fstype: str
    flags: int
    data: str

    def describe(self) -> str:
        """moby/sys/mount's wording: ``mount src:target, flags: 0x1000, data: x``."""
        text = "mount " + (f"{self.source}:{self.target}" if self.source else self.target)
        if self.flags:
            text += f", flags: {self.flags:#x}"
        return text + (f", data: {self.data}" if self.data else "")


def mount_calls(opts: dict[str, str], target: str) -> list[MountCall]:
    """The requests that mount a volume with these options on ``target``."""
    device, fstype, o = opts.get("device", ""), opts.get("type", ""), opts.get("o", "")
    if not device:
        raise InvalidArgument("missing device in volume options")
    parsed = parse_options([w for w in o.split(",") if w] if o else [])
    data = list(parsed.data)
    if fstype in NETWORK_TYPES:
        data = [_resolve_addr(w) if w.startswith("addr=") else w for w in data]
    flags = parsed.flags & ~MS_REMOUNT
    calls = [MountCall(device, target, fstype, flags, ",".join(data))]
    if flags & MS_BIND and flags & ~(MS_BIND | MS_REC):
        calls.append(MountCall("", target, "", MS_REMOUNT | MS_BIND | (flags & ~MS_REC), ""))
    if parsed.propagation:
        calls.append(MountCall("", target, "", parsed.propagation, ""))
    return calls


def readonly(calls: list[MountCall]) -> bool:
    return any(c.flags & MS_RDONLY for c in calls)


def _resolve_addr(word: str) -> str:
    """``addr=host`` → ``addr=<ip>``: the kernel's NFS/CIFS clients want addresses."""
    host = word.partition("=")[2]
    try:
        ipaddress.ip_address(host)
        return word
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except OSError as e:
        raise InvalidArgument("error resolving passed in network volume address: "
                              f"lookup {host}: {e.strerror or e}") from None
    return "addr=" + str(infos[0][4][0])
