"""berth.volumes: named and anonymous volumes, the ``local`` driver and volume plugins.

Contract and layout: docs/design/volumes.md. ``VolumeService`` is the Engine API's
volume backend and what the container side (``berth.containers.volglue``) uses.
"""

from __future__ import annotations

from .driver import VolumeDriver
from .kernel import HostKernel, Kernel
from .names import ANONYMOUS_LABEL, generate_name, validate_local_name
from .plugin_discovery import DEFAULT_DIRS as DEFAULT_PLUGIN_DIRS
from .service import VolumeService

__all__ = ["ANONYMOUS_LABEL", "DEFAULT_PLUGIN_DIRS", "HostKernel", "Kernel", "VolumeDriver",
           "VolumeService", "generate_name", "validate_local_name"]
