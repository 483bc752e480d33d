"""``python -m bench.run``: run the rows, print the table, write results.md and results.json.

Exits 0 whenever the suite ran (whatever the numbers), 2 when it could not run at all (not
root, bad arguments), 1 when no row produced a single figure.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from pathlib import Path
from types import FrameType

from bench import images, report, rows
from bench.context import Context
from bench.machine import describe
from bench.proc import alive, remove_tree
from bench.runner import RowResult, run_row

log = logging.getLogger("bench")


def parse(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    p.add_argument("--quick", action="store_true", help="the quick set, fewer repetitions")
    p.add_argument("--install", action="store_true",
                   help="apt-get the reference engines and build the cached Debian rootfs")
    p.add_argument("--rows", help="comma-separated row names (default: the whole set)")
    p.add_argument("--repeat", type=int, help="repetitions per engine (default: per row)")
    p.add_argument("--out", type=Path, default=Path("bench/out"), help="where results go")
    p.add_argument("--list", action="store_true", help="list the rows and exit")
    p.add_argument("-v", "--verbose", action="store_true")
    return p.parse_args(argv)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    """SIGTERM/SIGHUP unwind like Ctrl-C, so every finally block cleans up."""
    raise KeyboardInterrupt(f"signal {signum}")


def _hold_signals() -> None:
    """During cleanup a second Ctrl-C must not cut it short."""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)


def sweep_stale(cache: Path = images.CACHE) -> None:
    """Remove scratch dirs of earlier runs that were killed (their pid is gone)."""
    for old in cache.glob("run-*"):
        pid = old.name.removeprefix("run-")
        if pid.isdigit() and not alive(int(pid)):
            log.info("removing stale %s", old)
            remove_tree(old)


def run_all(args: argparse.Namespace) -> list[RowResult]:
    """Run the selected rows in one context; always clean up."""
    chosen = rows.select(args.rows.split(",") if args.rows else None, args.quick)
    ctx = Context(images.CACHE / f"run-{os.getpid()}", quick=args.quick)
    ctx.workdir.mkdir(parents=True)
    results: list[RowResult] = []
    try:
        for cls in chosen:
            row = cls()
            repeat = args.repeat or (row.quick_repeat if args.quick else row.repeat)
            log.info("row %s: %d x %s", row.name, repeat, ", ".join(row.engines))
            results.append(run_row(row, ctx, repeat))
    finally:
        _hold_signals()
        ctx.close()
    return results


def write(results: list[RowResult], out: Path) -> str:
    """Write results.md and results.json under ``out``; return the markdown."""
    machine = describe()
    text = report.markdown(results, machine)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.md").write_text(text)
    (out / "results.json").write_text(report.dumps(results, machine) + "\n")
    return text


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    args = parse(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="bench: %(message)s", stream=sys.stderr)
    if args.list:
        for r in rows.discover():
            print(f"{r.name:28} {'quick ' if r.in_quick else '      '}{r.title}")
        return 0
    try:
        rows.select(args.rows.split(",") if args.rows else None, args.quick)
    except ValueError as e:
        print(f"bench: {e}", file=sys.stderr)
        return 2
    if os.geteuid() != 0:
        print("bench: needs root (daemons, mounts, cgroups)", file=sys.stderr)
        return 2
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _interrupt)
    if args.install:
        from bench.install import install
        install()
    sweep_stale()
    try:
        results = run_all(args)
    except KeyboardInterrupt as e:
        print(f"bench: interrupted ({e or 'Ctrl-C'}); engines stopped, scratch removed",
              file=sys.stderr)
        return 130
    print(write(results, args.out))
    return 0 if any(r.summaries() for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
