"""OCI and Docker spec types: pure data, no I/O (layer 0)."""
