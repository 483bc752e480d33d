"""Image service (layer 4): docker's classic image model over content, snapshots, metadata."""

from berth.images.service import ImageService

__all__ = ["ImageService"]
