"""``berthd``: parse flags and daemon.json, set up logging, serve until signalled."""

from __future__ import annotations

import logging
import sys

from berth import errdefs

from . import config

LEVELS = {"trace": logging.DEBUG, "debug": logging.DEBUG, "info": logging.INFO,
          "warn": logging.WARNING, "warning": logging.WARNING, "error": logging.ERROR,
          "fatal": logging.CRITICAL, "panic": logging.CRITICAL}


def _setup_logging(cfg: config.DaemonConfig) -> None:
    level = logging.DEBUG if cfg.debug else LEVELS[cfg.log_level]
    logging.basicConfig(
        level=level, stream=sys.stderr,
        format='time="%(asctime)s" level=%(levelname)s msg="%(message)s" logger=%(name)s')


def main(argv: list[str] | None = None) -> int:
    try:
        cfg = config.load(sys.argv[1:] if argv is None else argv)
    except errdefs.BerthError as exc:
        print(f"berthd: {exc.message}", file=sys.stderr)
        return 1
    _setup_logging(cfg)
    from . import lean

    lean.block_ssl()  # before asyncio: it imports ssl when it can
    lean.lazy_aiohttp()
    lean.pure_python_frozenlist()
    import asyncio

    from .server import serve

    try:
        asyncio.run(serve(cfg))
    except errdefs.BerthError as exc:
        logging.getLogger("berthd").error("%s", exc.message)
        print(f"berthd: {exc.message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
