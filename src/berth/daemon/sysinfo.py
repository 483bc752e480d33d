"""``/version`` and ``/info`` documents (the API's SystemBackend), in dockerd's shape.

Everything reported is true of this daemon: no containers, networks or volumes exist
yet, so their counts are 0 and their plugin lists are empty.
"""

from __future__ import annotations

import datetime
import os
import platform
import socket
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import berth

from . import hostinfo
from .config import DaemonConfig

API_VERSION = "1.44"
MIN_API_VERSION = "1.24"


def engine_id(data_root: Path) -> str:
    """A stable daemon ID kept in ``<data-root>/engine-id`` (as dockerd does)."""
    path = data_root / "engine-id"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        ident = str(uuid.uuid4())
        tmp = path.with_suffix(".tmp")
        tmp.write_text(ident + "\n")
        os.replace(tmp, path)
        return ident


def _build_time() -> str:
    stamp = Path(berth.__file__).stat().st_mtime
    return datetime.datetime.fromtimestamp(stamp, datetime.UTC).isoformat()


class SystemInfo:
    def __init__(self, cfg: DaemonConfig, driver: str, image_count: Callable[[], int],
                 listeners: Callable[[], int], warnings: list[str] | None = None,
                 container_counts: Callable[[], dict[str, int]] | None = None) -> None:
        self._cfg = cfg
        self._container_counts = container_counts
        self._driver = driver
        self._image_count = image_count
        self._listeners = listeners
        self._warnings = warnings or []
        self._id = engine_id(cfg.data_root)

    def version(self) -> dict[str, Any]:
        uname = os.uname()
        details = {"ApiVersion": API_VERSION, "Arch": hostinfo.go_arch(),
                   "BuildTime": _build_time(), "Experimental": "false", "GitCommit": "unknown",
                   "GoVersion": f"python{platform.python_version()}",
                   "KernelVersion": uname.release, "MinAPIVersion": MIN_API_VERSION,
                   "Os": "linux"}
        return {"Platform": {"Name": "berth Engine"},
                "Components": [{"Name": "Engine", "Version": berth.__version__,
                                "Details": details}],
                "Version": berth.__version__, **details, "Experimental": False}

    def _driver_status(self) -> list[list[str]]:
        fs = hostinfo.backing_fs(self._cfg.data_root)
        if self._driver == "overlay2":
            return [["Backing Filesystem", fs], ["Supports d_type", "true"],
                    ["Using metacopy", "false"], ["Native Overlay Diff", "true"],
                    ["userxattr", "false"]]
        return [["Backing Filesystem", fs]]

    def info(self) -> dict[str, Any]:
        rel = hostinfo.os_release()
        cgv = hostinfo.cgroup_version()
        security = ["name=seccomp,profile=builtin"] if hostinfo.seccomp_supported() else []
        if cgv == "2":
            security.append("name=cgroupns")
        counts = {"Containers": 0, "ContainersRunning": 0, "ContainersPaused": 0,
                  "ContainersStopped": 0}
        if self._container_counts is not None:
            counts.update(self._container_counts())
        return {
            "ID": self._id, **counts, "Images": self._image_count(), "Driver": self._driver,
            "DriverStatus": self._driver_status(),
            "Plugins": {"Volume": [], "Network": [], "Authorization": None, "Log": []},
            "MemoryLimit": True, "SwapLimit": False, "CpuCfsPeriod": True,
            "CpuCfsQuota": True, "CPUShares": True, "CPUSet": True, "PidsLimit": True,
            "IPv4Forwarding": True, "BridgeNfIptables": False, "BridgeNfIp6tables": False,
            "Debug": self._cfg.debug or self._cfg.log_level == "debug",
            "NFd": hostinfo.fd_count(), "OomKillDisable": False,
            "NGoroutines": threading.active_count(),
            "SystemTime": datetime.datetime.now().astimezone().isoformat(),
            "LoggingDriver": "json-file", "CgroupDriver": "cgroupfs", "CgroupVersion": cgv,
            "NEventsListener": self._listeners(), "KernelVersion": os.uname().release,
            "OperatingSystem": rel.get("PRETTY_NAME", "Linux"),
            "OSVersion": rel.get("VERSION_ID", ""), "OSType": "linux",
            "Architecture": platform.machine(), "IndexServerAddress":
                "https://index.docker.io/v1/",
            "RegistryConfig": _registry_config(), "NCPU": os.cpu_count() or 1,
            "MemTotal": hostinfo.mem_total(), "GenericResources": None,
            "DockerRootDir": str(self._cfg.data_root), "HttpProxy": os.environ.get(
                "HTTP_PROXY", ""), "HttpsProxy": os.environ.get("HTTPS_PROXY", ""),
            "NoProxy": os.environ.get("NO_PROXY", ""), "Name": socket.gethostname(),
            "Labels": list(self._cfg.labels), "ExperimentalBuild": False,
            "ServerVersion": berth.__version__,
            "Runtimes": {"berth-runtime": {"path": "berth-runtime"}},
            "DefaultRuntime": "berth-runtime",
            "Swarm": {"NodeID": "", "NodeAddr": "", "LocalNodeState": "inactive",
                      "ControlAvailable": False, "Error": "", "RemoteManagers": None},
            "LiveRestoreEnabled": False, "Isolation": "", "InitBinary": "",
            "ContainerdCommit": {"ID": ""}, "RuncCommit": {"ID": ""},
            "InitCommit": {"ID": ""}, "SecurityOptions": security, "CDISpecDirs": [],
            "Warnings": list(self._warnings),
        }


def _registry_config() -> dict[str, Any]:
    return {"AllowNondistributableArtifactsCIDRs": None,
            "AllowNondistributableArtifactsHostnames": None,
            "InsecureRegistryCIDRs": ["::1/128", "127.0.0.0/8"],
            "IndexConfigs": {"docker.io": {"Name": "docker.io", "Mirrors": [],
                                           "Secure": True, "Official": True}},
            "Mirrors": None}
