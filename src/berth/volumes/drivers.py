"""The driver registry: ``local`` plus plugins found on demand and kept once activated.

Docker's rule for names that are not registered: look the plugin up in the plugin
directories, activate it (handshake), and keep it. A plugin that cannot be reached is
forgotten so the next call looks again (it may have been restarted on a new socket).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from berth.errdefs import BerthError, NotFound

from . import plugin_discovery
from .driver import VolumeDriver
from .plugin_client import PluginClient, PluginUnavailable
from .plugin_driver import PluginDriver


class DriverRegistry:
    def __init__(self, local: VolumeDriver, plugin_dirs: Sequence[Path],
                 timeout: float = 60.0) -> None:
        self.local = local
        self.plugin_dirs = tuple(plugin_dirs)
        self.timeout = timeout
        self._plugins: dict[str, PluginDriver] = {}
        self._lock = threading.Lock()

    def get(self, name: str) -> VolumeDriver:
        """The driver called ``name``; NotFound ``error looking up volume plugin …``."""
        if name in ("", "local"):
            return self.local
        with self._lock:
            cached = self._plugins.get(name)
        if cached is not None:
            return cached
        try:
            addr = plugin_discovery.find(self.plugin_dirs, name)
            driver = PluginDriver(name, PluginClient(addr, self.timeout))
            driver.activate()
        except BerthError as e:
            raise NotFound(f"error looking up volume plugin {name}: {e.message}") from None
        with self._lock:
            self._plugins.setdefault(name, driver)
            return self._plugins[name]

    def forget(self, name: str) -> None:
        with self._lock:
            self._plugins.pop(name, None)

    def plugins(self) -> tuple[list[PluginDriver], list[str]]:
        """Every volume plugin present now, and warnings for those that fail."""
        found: list[PluginDriver] = []
        warnings: list[str] = []
        for name in plugin_discovery.scan(self.plugin_dirs):
            if name == "local":
                continue
            try:
                driver = self.get(name)
            except NotFound as e:
                if "does not implement" not in e.message:
                    warnings.append(e.message)
                continue
            assert isinstance(driver, PluginDriver)
            found.append(driver)
        return found, warnings

    def call_failed(self, name: str, exc: BaseException) -> None:
        """Drop a plugin whose connection failed."""
        if isinstance(exc, PluginUnavailable):
            self.forget(name)
