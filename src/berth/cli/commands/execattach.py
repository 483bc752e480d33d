"""logs, exec, attach, and the attach+start used by ``start -a``.

All three read the container's inspect first (docker does: it needs ``Config.Tty`` to
know whether the stream is stdcopy-framed).
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Any

import click

from berth import errdefs
from berth.cli import tty
from berth.cli.commands._common import flag, globals_of, new_command, value
from berth.cli.usage import CLIError, check_args

if TYPE_CHECKING:
    from berth.client import APIClient


DETACHED = "read escape sequence"  # docker's term.EscapeError, printed after the raw mode ends


def timestamp(value: str, now: float | None = None, field: str = "since") -> str:
    """docker's timetypes.GetTimestamp: durations → unix seconds, dates → ``s.nanos``."""
    from datetime import datetime

    from berth.cli.commands.convert import BadValue, duration_ns

    now = time.time() if now is None else now
    if value != "0":
        try:
            return str(int(now - duration_ns(value) / 1e9))
        except BadValue:
            pass
    if value.replace(".", "", 1).isdigit():
        return value
    value, nanos = _split_nanos(value)
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise CLIError(f'invalid value for "{field}": failed to parse value as time or '
                       f"duration: \"{value}\"", 1) from None
    if dt.tzinfo is None:
        dt = dt.astimezone()
    if nanos is None:
        ts = dt.timestamp()
        return f"{int(ts)}.{round((ts - int(ts)) * 1e9):09d}"
    return f"{int(dt.timestamp())}.{nanos:09d}"


def _split_nanos(value: str) -> tuple[str, int | None]:
    """Take the fraction off an RFC 3339 time: Python's datetime keeps microseconds, docker
    sends all nine digits (a log line's own timestamp must select that line)."""
    head, dot, rest = value.partition(".")
    if not dot or "T" not in head:
        return value, None
    digits = len(rest) - len(rest.lstrip("0123456789"))
    if not digits:
        return value, None
    return head + rest[digits:], int(rest[:digits][:9].ljust(9, "0"))


def _pump(resp: Any, use_tty: bool) -> None:
    from berth._util import stdcopy

    if use_tty:
        while data := resp.read1(1 << 15):
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
    else:
        stdcopy.copy(lambda: resp.read1(1 << 15), sys.stdout.buffer, sys.stderr.buffer)


def make_logs(name: str, path: str, usage: str) -> click.Command:
    def run(ctx: click.Context, details: bool, follow: bool, since: str | None,
            tail: str, timestamps: bool, until: str | None, args: tuple[str, ...]) -> None:
        check_args(args, path, usage, exact=1)
        c = globals_of(ctx).client()
        info = c.containers.inspect(args[0])
        q = {"stdout": "1", "stderr": "1", "tail": tail or "all",
             "follow": "1" if follow else None, "timestamps": "1" if timestamps else None,
             "details": "1" if details else None,
             "since": timestamp(since) if since else None,
             "until": timestamp(until, field="until") if until else None}
        _pump(c.containers.logs(info["Id"], q), bool(info["Config"].get("Tty")))

    return new_command(name, usage, run, [
        flag(["--details"], "Show extra details provided to logs"),
        flag(["-f", "--follow"], "Follow log output"),
        value(["--since"], "Show logs since timestamp (e.g. \"2013-01-02T13:23:37Z\") or "
                           "relative (e.g. \"42m\" for 42 minutes)"),
        value(["-n", "--tail"], "Number of lines to show from the end of the logs",
              default="all"),
        flag(["-t", "--timestamps"], "Show timestamps"),
        value(["--until"], "Show logs before a timestamp (e.g. \"2013-01-02T13:23:37Z\") or "
                           "relative (e.g. \"42m\" for 42 minutes)"),
    ])


def attach_running(c: APIClient, ref: str, stdin: bool, detach_keys: str | None,
                   start: bool, sig_proxy: bool = True) -> int:
    """attach (and for ``start -a``, wait+start); returns the exit status."""
    from berth.cli.attachio import Session
    from berth.cli.commands.runflow import _resize, _signals, wait_status

    info = c.containers.inspect(ref)
    cid, cfg = info["Id"], info["Config"]
    use_tty = bool(cfg.get("Tty"))
    stdin = stdin and bool(cfg.get("OpenStdin"))
    if not start and not (info.get("State") or {}).get("Running"):
        raise CLIError("You cannot attach to a stopped container, start it first", 1)
    if use_tty and stdin and not tty.is_tty(sys.stdin.fileno()):
        raise CLIError("the input device is not a TTY", 1)
    keys = tty.parse_detach_keys(detach_keys)
    hijack = c.containers.attach(cid, stdin, True, True, detach_keys)
    session = Session(hijack, use_tty, stdin, keys)
    waiter = c.containers.wait(cid, "next-exit") if start else None
    if start:
        c.containers.start(cid)
    restore = _signals(c, cid, use_tty, sig_proxy and not use_tty)
    try:
        if use_tty and tty.is_tty(sys.stdout.fileno()):
            _resize(c, cid)
        with tty.raw(sys.stdin.fileno(), use_tty and stdin):
            detached = session.run()
    finally:
        restore()
    if detached:  # docker 28: start -a is silent, attach reports the escape as an error
        if start:
            return 0
        raise CLIError(DETACHED, 1)
    if waiter is None:
        waiter = c.containers.wait(cid)
    return wait_status(waiter)


def make_attach(name: str, path: str, usage: str) -> click.Command:
    def run(ctx: click.Context, detach_keys: str | None, no_stdin: bool, sig_proxy: str,
            args: tuple[str, ...]) -> None:
        check_args(args, path, usage, exact=1)
        proxy = sig_proxy.lower() in ("1", "t", "true")
        status = attach_running(globals_of(ctx).client(), args[0], not no_stdin,
                                detach_keys, start=False, sig_proxy=proxy)
        if status:
            ctx.exit(status)

    return new_command(name, usage, run, [
        value(["--detach-keys"], "Override the key sequence for detaching a container"),
        flag(["--no-stdin"], "Do not attach STDIN"),
        value(["--sig-proxy"], "Proxy all received signals to the process", default="true"),
    ])


def make_exec(name: str, path: str, usage: str) -> click.Command:
    def run(ctx: click.Context, detach: bool, detach_keys: str | None, env: tuple[str, ...],
            env_file: tuple[str, ...], interactive: bool, privileged: bool, tty_: bool,
            user: str | None, workdir: str | None, args: tuple[str, ...]) -> None:
        check_args(args, path, usage, min=2)
        status = exec_in(globals_of(ctx).client(), args[0], list(args[1:]), detach,
                         detach_keys, env, env_file, interactive, privileged, tty_, user,
                         workdir)
        if status:
            ctx.exit(status)

    cmd = new_command(name, usage, run, [
        flag(["-d", "--detach"], "Detached mode: run command in the background"),
        value(["--detach-keys"], "Override the key sequence for detaching a container"),
        value(["-e", "--env"], "Set environment variables", multiple=True),
        value(["--env-file"], "Read in a file of environment variables", multiple=True),
        flag(["-i", "--interactive"], "Keep STDIN open even if not attached"),
        flag(["--privileged"], "Give extended privileges to the command"),
        click.Option(["-t", "--tty", "tty_"], is_flag=True, help="Allocate a pseudo-TTY"),
        value(["-u", "--user"], "Username or UID (format: \"<name|uid>[:<group|gid>]\")"),
        value(["-w", "--workdir"], "Working directory inside the container"),
    ])
    cmd.context_settings["allow_interspersed_args"] = False
    return cmd


def exec_in(c: APIClient, ref: str, cmd: list[str], detach: bool, detach_keys: str | None,
            env: tuple[str, ...], env_file: tuple[str, ...], interactive: bool,
            privileged: bool, use_tty: bool, user: str | None, workdir: str | None) -> int:
    """docker's exec sequence: inspect, exec create, start (hijacked), inspect for the code."""
    from berth.cli.attachio import Session
    from berth.cli.commands import convert as cv

    if use_tty and interactive and not detach and not tty.is_tty(sys.stdin.fileno()):
        raise CLIError("the input device is not a TTY", 1)
    info = c.containers.inspect(ref)
    envs = [e for f in env_file for e in cv.read_kv_file(f, True)]
    envs += [cv.env_value(e) for e in env]
    body: dict[str, Any] = {"User": user or "", "Privileged": privileged, "Tty": use_tty}
    console = tty.size() if use_tty and tty.is_tty(sys.stdout.fileno()) else None
    if console:
        body["ConsoleSize"] = list(console)
    body.update({"AttachStdin": interactive and not detach, "AttachStderr": not detach,
                 "AttachStdout": not detach, "Detach": detach,
                 "DetachKeys": detach_keys or "", "Env": envs or None,
                 "WorkingDir": workdir or "", "Cmd": cmd})
    exec_id = c.containers.exec_create(info["Id"], body)["Id"]
    start: dict[str, Any] = {"Detach": detach, "Tty": use_tty}
    if console:
        start["ConsoleSize"] = list(console)
    if detach:
        c.containers.exec_start(exec_id, start, detach=True).read()
        return 0
    resp = c.containers.exec_start(exec_id, start)
    session = Session(resp, use_tty, interactive, tty.parse_detach_keys(detach_keys))
    if console:
        try:
            c.containers.exec_resize(exec_id, *console)
        except (errdefs.BerthError, OSError):
            pass
    with tty.raw(sys.stdin.fileno(), use_tty and interactive):
        detached = session.run()
    if detached:
        raise CLIError(DETACHED, 1)
    return int(c.containers.exec_inspect(exec_id).get("ExitCode") or 0)
