"""``cp``: copy between a container and the host through the archive endpoints.

Out: ``GET /containers/{id}/archive?path=`` gives a tar whose top entry is the path's
base name; it is extracted into DEST (an existing directory) or renamed to DEST.
In: ``HEAD …/archive?path=DEST`` tells whether DEST is a directory (the
``X-Docker-Container-Path-Stat`` header); we tar SRC under the name it must get and
``PUT`` it into the directory that receives it.  ``-`` means a tar on stdin/stdout.
"""

from __future__ import annotations

import base64
import io
import json
import os
import sys
import tarfile

import click

from berth import errdefs
from berth.cli.commands._common import flag, globals_of, new_command
from berth.cli.usage import CLIError, check_args


def _split(arg: str) -> tuple[str | None, str]:
    if ":" in arg and not arg.startswith(("/", ".")):
        ctr, _, path = arg.partition(":")
        return ctr, path
    return None, arg


def make_cp(name: str, path: str, usage: str) -> click.Command:
    def run(ctx: click.Context, archive: bool, follow_link: bool, quiet: bool,
            args: tuple[str, ...]) -> None:
        check_args(args, path, usage, exact=2)
        (sc, sp), (dc, dp) = _split(args[0]), _split(args[1])
        if sc and dc:
            raise CLIError("copying between containers is not supported")
        if not sc and not dc:
            raise CLIError("must specify at least one container source")
        c = globals_of(ctx).client()
        if sc:
            _copy_out(c, sc, sp, dp)
        else:
            assert dc is not None
            _copy_in(c, sp, dc, dp, archive, follow_link, quiet or not sys.stderr.isatty())

    return new_command(name, usage, run, [
        flag(["-a", "--archive"], "Archive mode (copy all uid/gid information)"),
        flag(["-L", "--follow-link"], "Always follow symbol link in SRC_PATH"),
        flag(["-q", "--quiet"], "Suppress progress output during copy"),
    ])


def _extract(tar: tarfile.TarFile, dest: str) -> None:
    """Extract with the "tar" filter where Python has it (3.11.4+); before that, refuse
    what the filter refuses: absolute names and ``..`` or links leading out of ``dest``."""
    if hasattr(tarfile, "tar_filter"):
        tar.extractall(dest, filter="tar")
        return
    root = os.path.realpath(dest)
    for m in tar.getmembers():
        for name in (m.name, os.path.join(os.path.dirname(m.name), m.linkname)
                     if m.issym() else m.linkname if m.islnk() else ""):
            target = os.path.realpath(os.path.join(root, name))
            if name and (os.path.isabs(name) or
                         os.path.commonpath([root, target]) != root):
                raise CLIError(f"invalid path in archive: {m.name!r}")
        m.mode &= 0o7777 & ~0o6000  # no set-id bits, as the filter
    tar.extractall(dest)


def _copy_out(c: object, ctr: str, src: str, dest: str) -> None:
    resp = c.containers.archive_get(ctr, src)  # type: ignore[attr-defined]
    if dest == "-":
        from berth.client.streams import copy_raw

        sys.stdout.flush()
        copy_raw(resp, sys.stdout.buffer)
        return
    data = io.BytesIO(resp.read())
    with tarfile.open(fileobj=data, mode="r:") as tar:
        members = tar.getmembers()
        if os.path.isdir(dest):
            _extract(tar, dest)
            return
        if dest.endswith("/"):
            raise CLIError(f"invalid output path: directory {dest!r} does not exist")
        root = members[0].name.split("/")[0] if members else ""
        for m in members:
            m.name = os.path.basename(dest) + m.name[len(root):]
        _extract(tar, os.path.dirname(os.path.abspath(dest)))


def _copy_in(c: object, src: str, ctr: str, dest: str, archive: bool, follow: bool,
             quiet: bool) -> None:
    """``quiet``: docker reports "Successfully copied" only on a terminal; ``follow``
    (``-L``) sends what a symlink SRC points to, under the link's name."""
    api = c.containers  # type: ignore[attr-defined]
    if src == "-":
        api.archive_put(ctr, dest, sys.stdin.buffer)
        return
    if not os.path.lexists(src):
        raise CLIError(f"lstat {os.path.abspath(src)}: no such file or directory")
    is_dir, target = False, dest
    try:
        head = api.archive_stat(ctr, dest)
        head.read()
        stat = json.loads(base64.b64decode(head.getheader("X-Docker-Container-Path-Stat")
                                           or "e30="))
        is_dir = bool(int(stat.get("mode", 0)) & (1 << 31))
    except errdefs.NotFound:
        if dest.endswith("/"):  # docker's archive.ErrDirNotExists
            raise CLIError("no such directory", 1) from None
    if is_dir:
        name = os.path.basename(os.path.normpath(src))
    else:
        target, name = os.path.dirname(dest.rstrip("/")) or "/", os.path.basename(dest)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:") as tar:
        tar.add(os.path.realpath(src) if follow else src, arcname=name)
    buf.seek(0)
    api.archive_put(ctr, target, buf, copy_uidgid=archive)
    if not quiet:
        sys.stderr.write(f"Successfully copied {_human(buf.getbuffer().nbytes)} to "
                         f"{ctr}:{dest}\n")


def _human(n: int) -> str:
    from berth._util.units import human_size

    return human_size(n)
