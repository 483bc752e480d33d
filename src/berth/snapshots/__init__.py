"""Snapshotters (layer 2): filesystem trees handed out as mount lists (containerd's model)."""

from berth.snapshots.detect import overlay_supported
from berth.snapshots.native import NativeSnapshotter
from berth.snapshots.overlay import OverlaySnapshotter
from berth.snapshots.snapshotter import Info, Kind, Snapshotter, Usage, WhiteoutMode

__all__ = ["Info", "Kind", "NativeSnapshotter", "OverlaySnapshotter", "Snapshotter", "Usage",
           "WhiteoutMode", "overlay_supported"]
