"""A volume driver served by a Docker volume plugin (``/VolumeDriver.*`` over HTTP).

Shapes (docker's volume plugin protocol): Create ``{Name, Opts}``; Remove, Path, Get
``{Name}``; Mount, Unmount ``{Name, ID}``; List and Capabilities ``{}``; answers carry
``Err``, ``Mountpoint``, ``Volume{Name, Mountpoint, CreatedAt, Status}``, ``Volumes``,
``Capabilities{Scope}``. A plugin without Capabilities (404) is ``local`` scoped.
"""

from __future__ import annotations

from typing import Any

from .plugin_client import PluginClient, PluginError

VOLUME_DRIVER = "VolumeDriver"


class PluginDriver:
    def __init__(self, name: str, client: PluginClient) -> None:
        self.name = name
        self.client = client
        self._scope: str | None = None

    def activate(self) -> None:
        """The handshake: the plugin must implement VolumeDriver."""
        doc = self.client.call("Plugin.Activate", None)
        implements = doc.get("Implements") or []
        if not isinstance(implements, list) or VOLUME_DRIVER not in implements:
            raise PluginError("Plugin does not implement the requested driver")

    def scope(self) -> str:
        if self._scope is None:
            try:
                caps = self.client.call("VolumeDriver.Capabilities", {})
            except PluginError as e:
                if e.status != 404:
                    raise
                caps = {}
            scope = (caps.get("Capabilities") or {}).get("Scope") or "local"
            self._scope = "global" if scope == "global" else "local"
        return self._scope

    def create(self, name: str, opts: dict[str, str]) -> None:
        self.client.call("VolumeDriver.Create", {"Name": name, "Opts": opts or None})

    def remove(self, name: str) -> None:
        self.client.call("VolumeDriver.Remove", {"Name": name})

    def mount(self, name: str, ref: str) -> str:
        doc = self.client.call("VolumeDriver.Mount", {"Name": name, "ID": ref})
        mountpoint = str(doc.get("Mountpoint") or "")
        if not mountpoint.startswith("/"):
            raise PluginError(f"VolumeDriver.Mount: plugin {self.name} gave no absolute "
                              f"mountpoint for {name} ({mountpoint!r})")
        return mountpoint

    def unmount(self, name: str, ref: str, last: bool) -> None:
        self.client.call("VolumeDriver.Unmount", {"Name": name, "ID": ref})

    def path(self, name: str) -> str:
        try:
            return str(self.client.call("VolumeDriver.Path", {"Name": name})
                       .get("Mountpoint") or "")
        except PluginError:
            return ""

    def get(self, name: str) -> dict[str, Any] | None:
        """None when the plugin says no (any Err); unreachable plugins raise."""
        try:
            doc = self.client.call("VolumeDriver.Get", {"Name": name})
        except PluginError:
            return None
        vol = doc.get("Volume")
        return _volume(vol) if isinstance(vol, dict) and vol.get("Name") else None

    def list(self) -> list[dict[str, Any]]:
        vols = self.client.call("VolumeDriver.List", {}).get("Volumes") or []
        return [_volume(v) for v in vols if isinstance(v, dict) and v.get("Name")]


def _volume(v: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"Name": str(v["Name"]), "Mountpoint": str(v.get("Mountpoint") or "")}
    if v.get("CreatedAt"):
        out["CreatedAt"] = str(v["CreatedAt"])
    if isinstance(v.get("Status"), dict) and v["Status"]:
        out["Status"] = v["Status"]
    return out
