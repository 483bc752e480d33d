"""The engines the rows drive: private daemons (dockerd, berthd) and daemonless podman.

Each handle starts on private sockets and roots, builds the command line its CLI needs, imports
the shared base images, and on ``close`` stops everything it started and removes its roots.
"""
