"""A stand-in image backend for when the image service cannot be built.

Every call fails with Unavailable naming the cause, so clients see why (``docker
images`` prints it) instead of an empty, false answer; ``/info`` carries a warning.
"""

from __future__ import annotations

from typing import Any, NoReturn

from berth import errdefs


class UnavailableImages:
    def __init__(self, reason: str) -> None:
        self.reason = reason

    def _fail(self, *_a: Any, **_kw: Any) -> NoReturn:
        raise errdefs.Unavailable(f"image service unavailable: {self.reason}")

    list_images = inspect_image = image_history = tag_image = remove_image = _fail
    prune_images = load_images = save_images = import_image = disk_usage = _fail
    counts = gc = _fail
