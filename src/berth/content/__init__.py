"""Content-addressed blob store (layer 1): atomic, verified, resumable ingest."""

from berth.content.local import LocalStore
from berth.content.store import Info, Ingester, IngestStatus, Manager, Provider, Store, Writer

__all__ = ["Info", "IngestStatus", "Ingester", "LocalStore", "Manager", "Provider", "Store",
           "Writer"]
