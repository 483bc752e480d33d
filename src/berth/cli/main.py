"""``berth``'s entry point: the fast path for the commonest commands, click for the rest.

click alone costs ~25 ms to import, more than the whole of ``docker ps``; ``berth.cli.fast``
parses ``run``/``ps``/``images`` command lines itself and hands anything unusual (help,
errors, other commands) to the click root in ``berth.cli.root``, which prints exactly
what it always did.
"""

from __future__ import annotations

import os
import sys


def run(args: list[str]) -> int:
    """Run one command line; returns the exit status."""
    from berth.cli.fast import dispatch

    status = dispatch(args)
    if status is None:
        from berth.cli import root

        status = root.run(args)
    return status


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point.

    As the process's own entry (``argv`` None) it ends with ``os._exit`` once the output
    is flushed: interpreter teardown (module GC, atexit, thread joins) is ~5 ms of work a
    CLI does not need; a stdin pump thread still blocked in ``read`` must not hold it up.
    """
    try:
        status = run(sys.argv[1:] if argv is None else argv)
    except KeyboardInterrupt:
        status = 130
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):
            pass
    if argv is None:
        os._exit(status)
    sys.exit(status)


if __name__ == "__main__":
    main()
