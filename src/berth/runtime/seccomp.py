"""OCI ``linux.seccomp`` → classic BPF bytes, compiled once and cached; loaded before execve.

``compile_filter`` validates the profile (errors name the entry: ``linux.seccomp.syscalls[3]
.action``), asks libseccomp for BPF and caches the bytes in memory by a hash of the canonical
JSON (plus libseccomp version and host arch), and optionally on disk, so container starts
after the first skip libseccomp. ``load_filter`` is what the container process calls last.
Unknown syscall names are skipped, as runc does: profiles list syscalls of every kernel.
"""

from __future__ import annotations

import json
import os

# _blake2 is built into CPython; hashlib would load OpenSSL (~3.5 MiB RSS) into the spawner
# and into every create/exec child only to name a cache file.
from _blake2 import blake2b
from pathlib import Path

from berth.errdefs import InvalidArgument, NotImplementedYet
from berth.runtime.log import LazyLogger
from berth.sys import seccomp as sc

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

log = LazyLogger(__name__)
F = "linux.seccomp"
_ERRNO_ACTIONS = ("SCMP_ACT_ERRNO", "SCMP_ACT_TRACE")
ACTIONS = {"SCMP_ACT_KILL": sc.ACT_KILL_THREAD, "SCMP_ACT_KILL_THREAD": sc.ACT_KILL_THREAD,
           "SCMP_ACT_KILL_PROCESS": sc.ACT_KILL_PROCESS, "SCMP_ACT_TRAP": sc.ACT_TRAP,
           "SCMP_ACT_ERRNO": sc.ACT_ERRNO, "SCMP_ACT_TRACE": sc.ACT_TRACE,
           "SCMP_ACT_ALLOW": sc.ACT_ALLOW, "SCMP_ACT_LOG": sc.ACT_LOG}
OPS = {"SCMP_CMP_NE": sc.CMP_NE, "SCMP_CMP_LT": sc.CMP_LT, "SCMP_CMP_LE": sc.CMP_LE,
       "SCMP_CMP_EQ": sc.CMP_EQ, "SCMP_CMP_GE": sc.CMP_GE, "SCMP_CMP_GT": sc.CMP_GT,
       "SCMP_CMP_MASKED_EQ": sc.CMP_MASKED_EQ}
LOAD_FLAGS = ("SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
              "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV")
_cache: dict[str, bytes] = {}


def action_value(name: Any, errno_ret: Any, field: str, default_errno: int = 1) -> int:
    """An OCI action name (+ errnoRet) as libseccomp's 32-bit action."""
    if name == "SCMP_ACT_NOTIFY":
        raise NotImplementedYet(f"{field}: SCMP_ACT_NOTIFY needs a seccomp listener "
                                "(listenerPath), which berth does not support yet")
    if name not in ACTIONS:
        raise InvalidArgument(f"{field}: unknown action {name!r}")
    if errno_ret is not None:
        if name not in _ERRNO_ACTIONS:
            raise InvalidArgument(f"{field}: errnoRet is only valid with SCMP_ACT_ERRNO or "
                                  "SCMP_ACT_TRACE")
        if not isinstance(errno_ret, int) or not 0 <= errno_ret <= 0xFFFF:
            raise InvalidArgument(f"{field}: errnoRet {errno_ret!r} is not within 0..65535")
    if name == "SCMP_ACT_ERRNO":
        return sc.act_errno(default_errno if errno_ret is None else errno_ret)
    if name == "SCMP_ACT_TRACE":
        return sc.act_trace(default_errno if errno_ret is None else errno_ret)
    return ACTIONS[name]


def arch_token(name: Any, field: str) -> int:
    """``SCMP_ARCH_X86_64`` → libseccomp's token (via its own name table)."""
    if not isinstance(name, str) or not name.startswith("SCMP_ARCH_"):
        raise InvalidArgument(f"{field}: {name!r} is not an SCMP_ARCH_* name")
    token = sc.resolve_arch(name.removeprefix("SCMP_ARCH_").lower())
    if token == 0:
        raise InvalidArgument(f"{field}: architecture {name} is unknown to libseccomp")
    return token


def _conditions(args: Any, field: str) -> list[tuple[int, int, int, int]]:
    if not isinstance(args, list):
        raise InvalidArgument(f"{field}: must be a list")
    out = []
    for i, a in enumerate(args):
        f = f"{field}[{i}]"
        if not isinstance(a, dict):
            raise InvalidArgument(f"{f}: must be an object")
        index, op = a.get("index"), a.get("op")
        if not isinstance(index, int) or not 0 <= index <= 5:
            raise InvalidArgument(f"{f}.index: {index!r} is not within 0..5")
        if op not in OPS:
            raise InvalidArgument(f"{f}.op: unknown operator {op!r}")
        v1, v2 = a.get("value", 0), a.get("valueTwo", 0)
        for key, v in (("value", v1), ("valueTwo", v2)):
            if not isinstance(v, int) or not 0 <= v < 2**64:
                raise InvalidArgument(f"{f}.{key}: {v!r} is not an unsigned 64-bit integer")
        out.append((index, OPS[op], v1, v2))
    return out


def check_flags(flags: Any, field: str = f"{F}.flags") -> int:
    """OCI flag names → the seccomp(2) flags word."""
    if not isinstance(flags, list):
        raise InvalidArgument(f"{field}: must be a list")
    word = 0
    for i, name in enumerate(flags):
        if name not in LOAD_FLAGS:
            raise InvalidArgument(f"{field}[{i}]: unsupported flag {name!r}")
        word |= sc.FILTER_FLAGS[name]
    return word


def _key(profile: dict[str, Any]) -> str:
    canon = json.dumps(profile, sort_keys=True, separators=(",", ":"))
    salt = f"{sc.version()}|{os.uname().machine}|"
    return blake2b((salt + canon).encode(), digest_size=32).hexdigest()


def compile_filter(seccomp: dict[str, Any], cache_dir: Path | None = None) -> bytes:
    """BPF for an OCI seccomp object; the same profile returns the same cached bytes object."""
    if not isinstance(seccomp, dict):
        raise InvalidArgument(f"{F}: must be an object")
    key = _key(seccomp)
    if key in _cache:
        return _cache[key]
    cached = cache_dir / f"{key}.bpf" if cache_dir else None
    if cached and cached.exists():
        bpf = cached.read_bytes()
    else:
        bpf = _build(seccomp)
        if cached:
            _store(cached, bpf)
    _cache[key] = bpf
    return bpf


def _store(path: Path, data: bytes) -> None:
    """Atomic write (temp + fsync + rename) so a crash never leaves half a filter."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _build(p: dict[str, Any]) -> bytes:
    if p.get("listenerPath"):
        raise NotImplementedYet(f"{F}.listenerPath: seccomp user notification is not supported")
    check_flags(p.get("flags") or [])
    d_errno = p.get("defaultErrnoRet")
    default = action_value(p.get("defaultAction"), d_errno, f"{F}.defaultAction")
    syscalls = p.get("syscalls") or []
    if not isinstance(syscalls, list):
        raise InvalidArgument(f"{F}.syscalls: must be a list")
    with sc.Filter(default) as flt:
        flt.set_attr(sc.ATTR_CTL_NNP, 0)  # the runtime sets no_new_privs itself
        for i, arch in enumerate(p.get("architectures") or []):
            flt.add_arch(arch_token(arch, f"{F}.architectures[{i}]"))
        for i, entry in enumerate(syscalls):
            _add_entry(flt, entry, default, f"{F}.syscalls[{i}]")
        return flt.export_bpf()


def _add_entry(flt: sc.Filter, entry: Any, default: int, field: str) -> None:
    if not isinstance(entry, dict):
        raise InvalidArgument(f"{field}: must be an object")
    names = entry.get("names") or ([entry["name"]] if entry.get("name") else None)
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise InvalidArgument(f"{field}.names: must be a non-empty list of syscall names")
    action = action_value(entry.get("action"), entry.get("errnoRet"), f"{field}.action")
    conds = _conditions(entry.get("args") or [], f"{field}.args")
    if action == default:
        return  # libseccomp refuses rules equal to the default; they would change nothing
    indexes = [c[0] for c in conds]
    # libseccomp allows one comparison per argument per rule: repeats become separate rules
    groups = [[c] for c in conds] if len(set(indexes)) < len(indexes) else [conds]
    for name in names:
        nr = sc.resolve_syscall(name)
        if nr == sc.NR_SCMP_ERROR:
            log.debug("%s: syscall %s unknown to libseccomp %s, skipped", field, name,
                      sc.version())
            continue
        for group in groups:
            try:
                flt.add_rule(action, nr, group)
            except OSError as e:
                raise InvalidArgument(f"{field}: rule for {name} rejected: {e.strerror}") from e


def load_filter(bpf: bytes, flags: list[str] | None = None) -> None:
    """Install ``bpf`` on the calling thread (all threads with TSYNC). Call with
    no_new_privs set (or CAP_SYS_ADMIN), immediately before execve."""
    sc.load_filter(bpf, check_flags(flags or []))
