"""``save``, ``load`` and ``import``: stream tarballs to and from the daemon.

Bodies go up chunked straight from the file or stdin, and ``save`` copies the daemon's
stream to the output in 64 KiB pieces, so image size never sits in memory.  ``save -o``
writes a temporary file beside the target and renames it (docker's atomicwriter).
"""

from __future__ import annotations

import os
import sys
import tempfile
from typing import IO

import click

from berth.cli.commands._common import flag, globals_of, new_command, value
from berth.cli.format.jsonstream import display
from berth.cli.usage import CLIError, check_args
from berth.client import iter_json_messages
from berth.client.streams import copy_raw
from berth.errdefs import InvalidArgument
from berth.oci.reference import parse as parse_normalized


def _open_output(path: str) -> tuple[IO[bytes], str]:
    """A temp file in the target's directory (the rename makes the save atomic)."""
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise CLIError(f"failed to save image: invalid output path: stat {directory}: "
                       "no such file or directory")
    fd, tmp = tempfile.mkstemp(prefix=".tmp-" + os.path.basename(path), dir=directory)
    os.fchmod(fd, 0o600)
    return os.fdopen(fd, "wb"), tmp


def make_save(name: str, path: str, usage: str) -> click.Command:
    def run(ctx: click.Context, output: str | None, platform: str | None,
            args: tuple[str, ...]) -> None:
        check_args(args, path, usage, min=1)
        if not output and sys.stdout.isatty():
            raise CLIError("cowardly refusing to save to a terminal. Use the -o flag or redirect")
        resp = globals_of(ctx).client().images.save(list(args))
        if not output:
            sys.stdout.flush()
            copy_raw(resp, sys.stdout.buffer)
            sys.stdout.buffer.flush()
            return
        fh, tmp = _open_output(output)
        try:
            with fh:
                copy_raw(resp, fh)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, output)
        except BaseException:
            os.unlink(tmp)
            raise

    return new_command(name, usage, run, [
        value(["-o", "--output"], "Write to a file, instead of STDOUT"),
        value(["--platform"], "Save only the given platform variant"),
    ])


def _show_stream(resp: object) -> None:
    """Print a JSON-message answer (or copy a raw one) to stdout."""
    from berth.client.transport import Response

    assert isinstance(resp, Response)
    if "json" in (resp.getheader("Content-Type") or ""):
        display(iter_json_messages(resp), sys.stdout, terminal=sys.stdout.isatty())
    else:
        sys.stdout.flush()
        copy_raw(resp, sys.stdout.buffer)


def make_load(name: str, path: str, usage: str) -> click.Command:
    def run(ctx: click.Context, input: str | None, quiet: bool, platform: str | None,
            args: tuple[str, ...]) -> None:
        check_args(args, path, usage, max=0)
        if not input and sys.stdin.isatty():
            raise CLIError("requested load from stdin, but stdin is empty")
        quiet = quiet or not sys.stdout.isatty()
        images = globals_of(ctx).client().images
        if input:
            with open(input, "rb") as fh:
                _show_stream(images.load(fh, quiet=quiet))
        else:
            _show_stream(images.load(sys.stdin.buffer, quiet=quiet))

    return new_command(name, usage, run, [
        value(["-i", "--input"], "Read from tar archive file, instead of STDIN"),
        flag(["-q", "--quiet"], "Suppress the load output"),
        value(["--platform"], "Load only the given platform variant"),
    ])


def make_import(name: str, path: str, usage: str) -> click.Command:
    def run(ctx: click.Context, change: tuple[str, ...], message: str | None,
            platform: str | None, args: tuple[str, ...]) -> None:
        check_args(args, path, usage, min=1)
        source, ref = args[0], (args[1] if len(args) > 1 else None)
        if ref:
            try:
                parse_normalized(ref)
            except InvalidArgument as exc:
                raise CLIError(exc.message) from None
        images = globals_of(ctx).client().images

        def send(body: IO[bytes] | None, src: str) -> None:
            _show_stream(images.import_(body, source=src, repo=ref, message=message,
                                        changes=list(change), platform=platform))

        if source == "-":
            send(sys.stdin.buffer, "-")
        elif source.startswith(("http://", "https://")):
            send(None, source)
        else:
            with open(source, "rb") as fh:
                send(fh, "-")

    return new_command(name, usage, run, [
        value(["-c", "--change"], "Apply Dockerfile instruction to the created image",
              multiple=True),
        value(["-m", "--message"], "Set commit message for imported image"),
        value(["--platform"], "Set platform if server is multi-platform capable"),
    ])
