"""Daemonless podman on private storage, with the settings this host needs.

- ``--root``/``--runroot``/``--tmpdir`` private; ``--cgroup-manager cgroupfs`` (no systemd);
  ``--events-backend file`` (no journald).
- Root lacks CAP_SYS_RESOURCE here, so podman's default rlimits (nofile/nproc raised to 1M)
  fail ("error setting rlimit type 6"); podman 4.3 ignored containers.conf ``default_ulimits``
  here, so every ``run`` passes ``--ulimit`` for both at the hard limits this process inherited,
  nproc capped at 32768: conmon runs with that hard RLIMIT_NPROC, and runc cannot go above it.
- crun refuses hybrid cgroup mode (the cgroup2 mount holds hugetlb), so podman uses runc.
- Containers' cgroups go under ``berth-bench-podman``.
- Podman 4.3's CNI bridge ``cni-podman0`` (10.88.0.1/16) stays on the host after its last
  container; ``close`` deletes it once no veth is attached to it (another podman's containers
  keep it).
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
from pathlib import Path

from bench.core import Unavailable
from bench.proc import remove_cgroups, remove_tree, run

CGROUP_PARENT = "berth-bench-podman"
CNI_BRIDGE = "cni-podman0"


CONMON_NPROC = 32768


def _limits() -> list[str]:
    """nofile/nproc at the hard limits we inherited (never above: no CAP_SYS_RESOURCE)."""
    out = []
    for name, res, cap in (("nofile", resource.RLIMIT_NOFILE, 1048576),
                           ("nproc", resource.RLIMIT_NPROC, CONMON_NPROC)):
        _, hard = resource.getrlimit(res)
        hard = cap if hard == resource.RLIM_INFINITY else min(hard, cap)
        out.append(f"{name}={hard}:{hard}")
    return out


class Podman:
    """podman with every state directory under ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.binary = shutil.which("podman") or ""
        conf = root / "containers.conf"
        self.env = {**os.environ, "CONTAINERS_CONF": str(conf),
                    "CONTAINERS_STORAGE_CONF": str(root / "storage.conf")}

    def cli(self, *args: str) -> list[str]:
        """The podman command line with the private global flags."""
        r = self.root
        return [self.binary, "--root", str(r / "storage"), "--runroot", str(r / "run"),
                "--tmpdir", str(r / "tmp"), "--cgroup-manager", "cgroupfs",
                "--events-backend", "file", "--runtime", "runc", *args]

    def start(self) -> Podman:
        """Write the private config files and check podman answers."""
        if not self.binary:
            raise Unavailable("podman: not installed (run with --install)")
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "containers.conf").write_text(
            "[containers]\n"
            f'cgroups = "enabled"\n'
            "[engine]\n"
            f'cgroup_manager = "cgroupfs"\nevents_logger = "file"\n'
            f'events_logfile_path = "{self.root}/events.log"\n'
            f'static_dir = "{self.root}/storage/libpod"\nvolume_path = "{self.root}/volumes"\n'
            "[network]\n"
            f'network_config_dir = "{self.root}/networks"\n')
        (self.root / "storage.conf").write_text(
            '[storage]\ndriver = "overlay"\n'
            f'graphroot = "{self.root}/storage"\nrunroot = "{self.root}/run"\n')
        try:
            run(self.cli("info", "--format", "{{.Version.Version}}"), env=self.env, timeout=60)
        except Exception as e:
            raise Unavailable(f"podman: {e}") from e
        return self

    def run_args(self) -> list[str]:
        """Flags every ``podman run`` here needs."""
        limits = [arg for lim in _limits() for arg in ("--ulimit", lim)]
        return ["--cgroup-parent", f"/{CGROUP_PARENT}", *limits]

    def import_image(self, tarball: Path, ref: str) -> None:
        """``podman import`` a rootfs tarball as ``ref``."""
        run(self.cli("import", str(tarball), ref), env=self.env)

    def close(self) -> None:
        """Remove containers and storage (unmounting overlays first)."""
        if self.binary and self.root.exists():
            run(self.cli("rm", "-af", "-t", "0"), env=self.env, check=False, timeout=120)
        remove_tree(self.root)
        remove_cgroups(CGROUP_PARENT)
        remove_idle_bridge(CNI_BRIDGE)


def remove_idle_bridge(name: str) -> None:
    """Delete bridge ``name`` when it exists and has no port."""
    ports = subprocess.run(["ip", "-o", "link", "show", "master", name], capture_output=True,
                           text=True, check=False)
    if ports.returncode == 0 and not ports.stdout.strip():
        subprocess.run(["ip", "link", "del", "dev", name, "type", "bridge"], capture_output=True,
                       check=False)
