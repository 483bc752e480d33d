"""SQLite state (layer 3): image records, references, GC holds; mark-and-sweep GC."""

from berth.metadata.db import MetadataDB
from berth.metadata.records import ImageRecord, LayerRecord, RefRecord
from berth.metadata.schema import SCHEMA_VERSION

__all__ = ["SCHEMA_VERSION", "ImageRecord", "LayerRecord", "MetadataDB", "RefRecord"]
