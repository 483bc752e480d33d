"""berth.api (layer 8): the Docker Engine API over aiohttp.

Routers call only the Backend protocols in ``backends``; the daemon injects the real
services. ``make_app`` builds the application, ``serve`` listens on unix/tcp hosts.
"""

from .app import make_app
from .backends import Backends, EventSource, ImageBackend, PullBackend, SystemBackend
from .versioning import DEFAULT_VERSION, MIN_VERSION

__all__ = ["DEFAULT_VERSION", "MIN_VERSION", "Backends", "EventSource", "ImageBackend",
           "PullBackend", "SystemBackend", "make_app"]
