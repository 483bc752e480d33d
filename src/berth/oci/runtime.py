"""OCI runtime-spec v1.2 ``config.json``: load and validate as plain dicts.

The runtime works on the parsed JSON dict; this module checks the shape of every field
Linux uses, so a bad config fails at ``create`` with an error naming the field
(``process.user.uid: expected an integer, got '0'``) instead of deep inside the init.
"""

from __future__ import annotations

import os

from berth.errdefs import InvalidArgument

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

OCI_VERSION = "1.2.0"
NAMESPACE_TYPES = ("pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time")
HOOK_NAMES = ("prestart", "createRuntime", "createContainer", "startContainer", "poststart",
              "poststop")


def _fail(field: str, msg: str) -> InvalidArgument:
    return InvalidArgument(f"config.json: {field}: {msg}")


def _want(value: Any, kind: type | tuple[type, ...], field: str, *, optional: bool = True) -> Any:
    if value is None and optional:
        return value
    if isinstance(value, bool) and kind in (int, (int,)):
        raise _fail(field, f"expected an integer, got {value!r}")
    if not isinstance(value, kind):
        name = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
        raise _fail(field, f"expected {_article(name)}, got {value!r}")
    return value


def _article(name: str) -> str:
    return {"str": "a string", "int": "an integer", "list": "a list", "dict": "an object",
            "bool": "a boolean"}.get(name, name)


def _str_list(value: Any, field: str) -> None:
    _want(value, list, field)
    for i, item in enumerate(value or ()):
        _want(item, str, f"{field}[{i}]", optional=False)


def load_config(bundle: str | os.PathLike[str],
                loads: Callable[[bytes], Any] | None = None) -> dict[str, Any]:
    """Read and validate ``<bundle>/config.json``; ``loads`` parses it (default
    ``json.loads``: the runtime passes a parser that spares the CLI importing ``re``)."""
    path = os.path.join(bundle, "config.json")
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        raise InvalidArgument(f"bundle {bundle}: config.json not found") from None
    try:
        if loads is None:
            import json
            loads = json.loads
        cfg = loads(raw)
    except ValueError as e:
        raise InvalidArgument(f"config.json: invalid JSON: {e}") from None
    validate(cfg)
    return cfg


def validate(cfg: Any) -> None:
    """Raise InvalidArgument naming the first malformed field."""
    _want(cfg, dict, "(top level)", optional=False)
    _want(cfg.get("ociVersion"), str, "ociVersion", optional=False)
    root = _want(cfg.get("root"), dict, "root")
    if root is not None:
        _want(root.get("path"), str, "root.path", optional=False)
        _want(root.get("readonly"), bool, "root.readonly")
    _want(cfg.get("hostname"), str, "hostname")
    _want(cfg.get("domainname"), str, "domainname")
    _want(cfg.get("annotations"), dict, "annotations")
    if cfg.get("process") is not None:
        validate_process(cfg["process"], "process")
    _validate_mounts(cfg.get("mounts"))
    _validate_hooks(cfg.get("hooks"))
    if cfg.get("linux") is not None:
        _validate_linux(_want(cfg["linux"], dict, "linux"))


def validate_process(proc: Any, field: str = "process") -> None:
    """Check a ``process`` object (also the ``exec --process`` file)."""
    _want(proc, dict, field, optional=False)
    _str_list(proc.get("args"), f"{field}.args")
    if not proc.get("args"):
        raise _fail(f"{field}.args", "must name a program to run")
    _str_list(proc.get("env"), f"{field}.env")
    _want(proc.get("cwd"), str, f"{field}.cwd", optional=False)
    if not proc["cwd"].startswith("/"):
        raise _fail(f"{field}.cwd", f"must be an absolute path, got {proc['cwd']!r}")
    _want(proc.get("terminal"), bool, f"{field}.terminal")
    _want(proc.get("noNewPrivileges"), bool, f"{field}.noNewPrivileges")
    _want(proc.get("oomScoreAdj"), int, f"{field}.oomScoreAdj")
    _want(proc.get("apparmorProfile"), str, f"{field}.apparmorProfile")
    _want(proc.get("selinuxLabel"), str, f"{field}.selinuxLabel")
    user = _want(proc.get("user"), dict, f"{field}.user") or {}
    for key in ("uid", "gid", "umask"):
        v = _want(user.get(key), int, f"{field}.user.{key}")
        if v is not None and v < 0:
            raise _fail(f"{field}.user.{key}", f"must not be negative, got {v}")
    _want(user.get("additionalGids"), list, f"{field}.user.additionalGids")
    for i, g in enumerate(user.get("additionalGids") or ()):
        _want(g, int, f"{field}.user.additionalGids[{i}]", optional=False)
    caps = _want(proc.get("capabilities"), dict, f"{field}.capabilities") or {}
    for key in ("bounding", "effective", "inheritable", "permitted", "ambient"):
        _str_list(caps.get(key), f"{field}.capabilities.{key}")
    rlimits = _want(proc.get("rlimits"), list, f"{field}.rlimits") or []
    for i, rl in enumerate(rlimits):
        f = f"{field}.rlimits[{i}]"
        _want(rl, dict, f, optional=False)
        _want(rl.get("type"), str, f"{f}.type", optional=False)
        _want(rl.get("soft"), int, f"{f}.soft", optional=False)
        _want(rl.get("hard"), int, f"{f}.hard", optional=False)
    size = _want(proc.get("consoleSize"), dict, f"{field}.consoleSize")
    if size is not None:
        _want(size.get("height"), int, f"{field}.consoleSize.height", optional=False)
        _want(size.get("width"), int, f"{field}.consoleSize.width", optional=False)


def _validate_mounts(mounts: Any) -> None:
    _want(mounts, list, "mounts")
    for i, m in enumerate(mounts or ()):
        f = f"mounts[{i}]"
        _want(m, dict, f, optional=False)
        dest = _want(m.get("destination"), str, f"{f}.destination", optional=False)
        if not dest.startswith("/"):
            raise _fail(f"{f}.destination", f"must be an absolute path, got {dest!r}")
        _want(m.get("type"), str, f"{f}.type")
        _want(m.get("source"), str, f"{f}.source")
        _str_list(m.get("options"), f"{f}.options")
        for key in ("uidMappings", "gidMappings"):
            _validate_idmap(m.get(key), f"{f}.{key}")


def _validate_idmap(maps: Any, field: str) -> None:
    _want(maps, list, field)
    for i, m in enumerate(maps or ()):
        _want(m, dict, f"{field}[{i}]", optional=False)
        for key in ("containerID", "hostID", "size"):
            _want(m.get(key), int, f"{field}[{i}].{key}", optional=False)


def _validate_hooks(hooks: Any) -> None:
    _want(hooks, dict, "hooks")
    for name, entries in (hooks or {}).items():
        if name not in HOOK_NAMES:
            raise _fail(f"hooks.{name}", f"unknown hook; expected one of {', '.join(HOOK_NAMES)}")
        _want(entries, list, f"hooks.{name}")
        for i, h in enumerate(entries or ()):
            f = f"hooks.{name}[{i}]"
            _want(h, dict, f, optional=False)
            _want(h.get("path"), str, f"{f}.path", optional=False)
            _str_list(h.get("args"), f"{f}.args")
            _str_list(h.get("env"), f"{f}.env")
            _want(h.get("timeout"), int, f"{f}.timeout")


def _validate_linux(linux: dict[str, Any]) -> None:
    for i, ns in enumerate(_want(linux.get("namespaces"), list, "linux.namespaces") or ()):
        f = f"linux.namespaces[{i}]"
        _want(ns, dict, f, optional=False)
        t = _want(ns.get("type"), str, f"{f}.type", optional=False)
        if t not in NAMESPACE_TYPES:
            raise _fail(f"{f}.type", f"unknown namespace {t!r}")
        _want(ns.get("path"), str, f"{f}.path")
    _validate_idmap(linux.get("uidMappings"), "linux.uidMappings")
    _validate_idmap(linux.get("gidMappings"), "linux.gidMappings")
    for i, d in enumerate(_want(linux.get("devices"), list, "linux.devices") or ()):
        f = f"linux.devices[{i}]"
        _want(d, dict, f, optional=False)
        _want(d.get("path"), str, f"{f}.path", optional=False)
        if d.get("type") not in ("c", "b", "u", "p"):
            raise _fail(f"{f}.type", f"expected c, b, u or p, got {d.get('type')!r}")
        for key in ("major", "minor", "fileMode", "uid", "gid"):
            _want(d.get(key), int, f"{f}.{key}")
    sysctl = _want(linux.get("sysctl"), dict, "linux.sysctl") or {}
    for k, v in sysctl.items():
        _want(v, str, f"linux.sysctl.{k}", optional=False)
    _str_list(linux.get("maskedPaths"), "linux.maskedPaths")
    _str_list(linux.get("readonlyPaths"), "linux.readonlyPaths")
    prop = _want(linux.get("rootfsPropagation"), str, "linux.rootfsPropagation")
    if prop not in (None, "", "private", "rprivate", "slave", "rslave", "shared", "rshared",
                    "unbindable", "runbindable"):
        raise _fail("linux.rootfsPropagation", f"unknown propagation {prop!r}")
    _want(linux.get("cgroupsPath"), str, "linux.cgroupsPath")
    _want(linux.get("resources"), dict, "linux.resources")
    _want(linux.get("seccomp"), dict, "linux.seccomp")
    pers = _want(linux.get("personality"), dict, "linux.personality")
    if pers is not None:
        _want(pers.get("domain"), str, "linux.personality.domain", optional=False)
    _want(linux.get("mountLabel"), str, "linux.mountLabel")
