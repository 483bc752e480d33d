"""Per-container monitors and the spawner that forks them (docs/design/monitor.md).

``spawner`` (a warm, single-threaded process berthd starts) forks one ``monitor`` per
container; the monitor owns the container's stdio, writes its log (``logs``), records its
exit (``records``) and answers ``monitor.sock`` (``client`` is berthd's side). Modules
load on demand: the monitor process must stay small, so nothing heavy is imported here.
"""
