"""Container record → OCI runtime spec (the bundle's ``config.json``) for berth.runtime.

``generate`` needs the mounted rootfs (users are resolved from its /etc files and a
missing WorkingDir is created in it, as docker does); ``validate`` runs every check that
does not, so ``create`` fails early with moby's messages. The network namespace to join
and the user's mounts come from the container service's ``Networks`` and ``Volumes``
(``NetPlan.netns``; ``Volumes.mount``); without a namespace path every mode but ``host``
gets a fresh one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from berth.errdefs import InvalidArgument, NotImplementedYet
from berth.oci.runtime import OCI_VERSION

from . import mounts as mnt
from . import process as proc
from . import resources as rsc
from . import security as sec
from .inroot import make_dirs
from .users import resolve as resolve_user

TINI = "/usr/bin/tini-static"  # static: images need not ship a libc (docker-init is too)


def validate(rec: dict[str, Any]) -> None:
    """Every check ``generate`` makes that needs no rootfs."""
    hc, cfg = rec["HostConfig"], rec["Config"]
    opts = sec.parse_security_opts(hc.get("SecurityOpt"))
    caps = sec.capabilities(hc.get("CapAdd"), hc.get("CapDrop"), bool(hc.get("Privileged")))
    sec.seccomp(opts, bool(hc.get("Privileged")), caps)
    rsc.rlimits(hc.get("Ulimits"))
    rsc.sysctls(hc)
    rsc.user_devices(hc)
    rsc.resources(hc)
    proc.check_workdir(cfg.get("WorkingDir") or "")
    proc.check_env(cfg.get("Env"))
    namespaces(hc)


def namespaces(hc: dict[str, Any], netns: str | None = None) -> list[dict[str, str]]:
    out = [{"type": "mount"}]
    for kind, field in (("pid", "PidMode"), ("ipc", "IpcMode"), ("uts", "UTSMode"),
                        ("cgroup", "CgroupnsMode"), ("network", "NetworkMode")):
        mode = hc.get(field) or ""
        if mode == "host":
            continue
        if kind == "network" and netns:
            out.append({"type": kind, "path": netns})
            continue
        if kind == "network" and mode.startswith("container:"):
            out.append({"type": kind})  # the path comes from Networks.attach (NetPlan)
            continue
        if mode.startswith("container:") or mode.startswith("ns:"):
            raise NotImplementedYet(f"{field} {mode!r}: joining another container's "
                                    "namespaces is not supported yet")
        out.append({"type": kind})
    return out


def generate(rec: dict[str, Any], rootfs: Path, etc: dict[str, str], *,
             netns: str | None = None,
             user_mounts: list[dict[str, Any]] | None = None,
             net_env: list[str] | None = None) -> dict[str, Any]:
    """The OCI spec for ``rec`` with its snapshot mounted at ``rootfs``; ``user_mounts``
    are the ``Volumes`` collaborator's (binds, volumes, tmpfs), none by default;
    ``net_env`` (link variables) goes before ``Config.Env``, which overrides it (docker)."""
    hc, cfg = rec["HostConfig"], rec["Config"]
    priv = bool(hc.get("Privileged"))
    opts = sec.parse_security_opts(hc.get("SecurityOpt"))
    caps = sec.capabilities(hc.get("CapAdd"), hc.get("CapDrop"), priv)
    user = resolve_user(rootfs, cfg.get("User") or "", hc.get("GroupAdd"))
    cwd = cfg.get("WorkingDir") or "/"
    proc.check_workdir(cwd)
    make_dirs(rootfs, cwd)
    init = _init_binary() if hc.get("Init") else None
    args = [rec["Path"], *rec["Args"]]
    if init:
        args = [mnt.INIT_PATH, "--", *args]
    env = proc.process_env([*(net_env or []), *(cfg.get("Env") or [])],
                           cfg.get("Hostname") or "", bool(cfg.get("Tty")))
    process: dict[str, Any] = {
        "terminal": bool(cfg.get("Tty")), "args": args, "env": env, "cwd": cwd,
        "user": {"uid": user.uid, "gid": user.gid,
                 **({"additionalGids": user.additional_gids} if user.additional_gids else {})},
        "capabilities": sec.process_caps(caps, user.uid),
        "noNewPrivileges": opts.no_new_privileges,
    }
    if not any(e.startswith("HOME=") for e in env):
        process["env"].append(f"HOME={user.home}")
    if proc.console_size(hc):
        process["consoleSize"] = proc.console_size(hc)
    if rsc.rlimits(hc.get("Ulimits")):
        process["rlimits"] = rsc.rlimits(hc.get("Ulimits"))
    if hc.get("OomScoreAdj"):
        process["oomScoreAdj"] = hc["OomScoreAdj"]
    spec: dict[str, Any] = {
        "ociVersion": OCI_VERSION, "process": process,
        "root": {"path": str(rootfs), "readonly": bool(hc.get("ReadonlyRootfs"))},
        "hostname": cfg.get("Hostname") or "", "mounts": mnt.assemble(hc, etc, init, user_mounts),
        "linux": _linux(rec, priv, opts, caps, netns),
    }
    if cfg.get("Domainname"):
        spec["domainname"] = cfg["Domainname"]
    return spec


def _linux(rec: dict[str, Any], priv: bool, opts: sec.SecurityOpts,
           caps: list[str], netns: str | None) -> dict[str, Any]:
    hc = rec["HostConfig"]
    res = rsc.resources(hc)
    devs, rules = rsc.user_devices(hc)
    if priv:
        devs = rsc.host_devices() + devs
        res["devices"] = [{"allow": True, "access": "rwm"}]
    else:
        res["devices"] = rsc.DEFAULT_RULES + rules
    masked, ro = sec.masked_paths(hc, opts)
    linux: dict[str, Any] = {
        "resources": res, "devices": devs, "namespaces": namespaces(hc, netns),
        "cgroupsPath": f"/berth/{rec['ID']}", "maskedPaths": masked, "readonlyPaths": ro,
    }
    sysctl = rsc.sysctls(hc)
    if sysctl:
        linux["sysctl"] = sysctl
    seccomp = sec.seccomp(opts, priv, caps)
    if seccomp is not None:
        linux["seccomp"] = seccomp
    return linux


def _init_binary() -> str:
    if not Path(TINI).is_file():
        raise InvalidArgument(f"--init: {TINI} is missing (install Debian's tini package)")
    return TINI
