"""berth.daemon (layer 9): ``berthd``, the composition root.

It parses dockerd-style flags and daemon.json, holds the pidfile, builds the stores and
services, runs the event bus and serves the Engine API (``berth.api``) on its hosts.
"""
