"""``berth-runtime``: runc's command line over the ``berth.runtime`` library.

Usage: berth-runtime [global flags] <command> [flags] <container-id> [args]
Exit status: 0, the container's own status for ``run``/``exec`` in the foreground,
127/126 when the program is missing/not executable, 1 for any other error.
"""

from __future__ import annotations

import gc
import os
import sys

from berth._util import fastjson
from berth.errdefs import BerthError, InvalidArgument
from berth.runtime import cliparse
from berth.runtime.log import Log

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

GLOBAL: cliparse.Spec = {
    "--root": ("root", "str"), "--log": ("log", "str"), "--log-format": ("log_format", "str"),
    "--debug": ("debug", "bool"), "--systemd-cgroup": ("systemd_cgroup", "bool"),
    "--rootless": ("rootless", "str"), "--criu": ("criu", "str"),
    "--version": ("version", "bool"), "-v": ("version", "bool"),
    "--help": ("help", "bool"), "-h": ("help", "bool"),
}
CREATE: cliparse.Spec = {
    "--bundle": ("bundle", "str"), "-b": ("bundle", "str"), "--pid-file": ("pid_file", "str"),
    "--console-socket": ("console_socket", "str"), "--no-pivot": ("no_pivot", "bool"),
    "--no-new-keyring": ("no_new_keyring", "bool"), "--preserve-fds": ("preserve_fds", "int"),
    "--detach": ("detach", "bool"), "-d": ("detach", "bool"),
    "--keep": ("keep", "bool"), "--no-subreaper": ("no_subreaper", "bool"),
}
EXEC: cliparse.Spec = {
    "--process": ("process", "str"), "-p": ("process", "str"), "--tty": ("tty", "bool"),
    "-t": ("tty", "bool"), "--cap": ("cap", "list"), "-c": ("cap", "list"),
    "--env": ("env", "list"), "-e": ("env", "list"), "--cwd": ("cwd", "str"),
    "--user": ("user", "str"), "-u": ("user", "str"), "--detach": ("detach", "bool"),
    "-d": ("detach", "bool"), "--pid-file": ("pid_file", "str"),
    "--console-socket": ("console_socket", "str"), "--preserve-fds": ("preserve_fds", "int"),
    "--no-new-privs": ("no_new_privs", "bool"), "--additional-gids": ("gids", "list"),
    "-g": ("gids", "list"), "--apparmor": ("apparmor", "str"),
    "--process-label": ("label", "str"), "--cgroup": ("cgroup", "str"),
}
USAGE = """berth-runtime: an OCI runtime (runc-compatible command line)

commands: create start run exec kill delete state list ps pause resume update events
          spec features
global flags: --root DIR --log FILE --log-format text|json --debug --systemd-cgroup
"""


def main(argv: list[str] | None = None) -> int:
    """Run one command; ``argv`` None means this process's own command line, and then
    the process exits here through ``os._exit``: interpreter teardown (freeing every
    module) costs 5-15 ms that a short-lived CLI has no use for."""
    if argv is not None:
        return _main(argv)
    # a short-lived process: the cyclic GC would only walk objects (the verb's imports)
    # that all live until exit (~2-3 ms)
    gc.disable()
    code = _main(sys.argv[1:])
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


def _main(argv: list[str]) -> int:
    cut = 0
    while cut < len(argv) and argv[cut].startswith("-") and argv[cut] not in ("-", "--"):
        cut += 2 if _takes_value(argv[cut]) and "=" not in argv[cut] else 1
    log = Log(None)
    try:
        g, _ = cliparse.parse(argv[:cut], GLOBAL)
        log = Log(g["log"], g["log_format"] or "text", bool(g["debug"]))
        if g["version"]:
            return _version()
        if g["help"] or cut >= len(argv):
            sys.stdout.write(USAGE)
            return 0 if g["help"] else 1
        cmd, rest = argv[cut], argv[cut + 1:]
        handler = _handler(cmd)
        root = g["root"] or "/run/berth-runtime"
        return handler(root, g, rest)
    except BerthError as e:
        log.error(e.message)
        return getattr(e, "code", 1)
    except (OSError, ValueError) as e:
        log.error(str(e))
        return 1


def _takes_value(flag: str) -> bool:
    spec = GLOBAL.get(flag) or GLOBAL.get(f"-{flag}")
    return spec is not None and spec[1] != "bool"


def _version() -> int:
    from berth.oci.runtime import OCI_VERSION
    from berth.runtime.features import VERSION
    print(f"berth-runtime version {VERSION}\nspec: {OCI_VERSION}\n"
          f"python: {sys.version.split()[0]}")
    return 0


def _one_id(pos: list[str], cmd: str) -> str:
    if not pos:
        raise InvalidArgument(f"{cmd}: requires a container id")
    return pos[0]


def _create_opts(o: dict[str, Any], g: dict[str, Any], detach: bool) -> Any:
    from berth.runtime.create import Options
    return Options(pid_file=o["pid_file"], console_socket=o["console_socket"],
                   no_pivot=bool(o["no_pivot"]), no_new_keyring=bool(o["no_new_keyring"]),
                   preserve_fds=o["preserve_fds"] or 0,
                   systemd_cgroup=bool(g["systemd_cgroup"]), detach=detach)


def cmd_create(root: str, g: dict[str, Any], args: list[str]) -> int:
    from berth.runtime.create import create
    o, pos = cliparse.parse(args, CREATE)
    create(root, _one_id(pos, "create"), o["bundle"] or ".", _create_opts(o, g, True))
    return 0


def cmd_run(root: str, g: dict[str, Any], args: list[str]) -> int:
    from berth.runtime.run import run
    o, pos = cliparse.parse(args, CREATE)
    return run(root, _one_id(pos, "run"), o["bundle"] or ".",
               _create_opts(o, g, bool(o["detach"])))


def cmd_start(root: str, g: dict[str, Any], args: list[str]) -> int:
    from berth.runtime.start import start
    _, pos = cliparse.parse(args, {})
    start(root, _one_id(pos, "start"))
    return 0


def cmd_state(root: str, g: dict[str, Any], args: list[str]) -> int:
    from berth.runtime.ops import state
    _, pos = cliparse.parse(args, {})
    import json
    print(json.dumps(state(root, _one_id(pos, "state")), indent=2))
    return 0


def cmd_kill(root: str, g: dict[str, Any], args: list[str]) -> int:
    from berth.runtime.ops import kill
    from berth.runtime.signals import parse_signal
    o, pos = cliparse.parse(args, {"--all": ("all", "bool"), "-a": ("all", "bool")})
    sig = parse_signal(pos[1]) if len(pos) > 1 else 15
    kill(root, _one_id(pos, "kill"), sig, all_procs=bool(o["all"]))
    return 0


def cmd_delete(root: str, g: dict[str, Any], args: list[str]) -> int:
    from berth.errdefs import NotFound
    from berth.runtime.ops import delete
    o, pos = cliparse.parse(args, {"--force": ("force", "bool"), "-f": ("force", "bool")})
    try:
        delete(root, _one_id(pos, "delete"), force=bool(o["force"]))
    except NotFound:
        if not o["force"]:
            raise
    return 0


def cmd_exec(root: str, g: dict[str, Any], args: list[str]) -> int:
    from berth.runtime import execproc
    o, pos = cliparse.parse(args, EXEC, stop_after=1)
    cid = _one_id(pos, "exec")
    if o["process"]:
        proc = _read_json(o["process"], "--process")
    else:
        if len(pos) < 2:
            raise InvalidArgument("exec: requires a command (or --process)")
        from berth.runtime.container import Container
        from berth.runtime.state import StateStore
        cfg = Container(StateStore(root), cid).config
        proc = execproc.exec_config_process(
            cfg, pos[1:], env=o["env"], cwd=o["cwd"], user=_user(o["user"]), caps=o["cap"],
            tty=bool(o["tty"]), no_new_privs=True if o["no_new_privs"] else None)
        if o["gids"]:
            proc["user"]["additionalGids"] = [int(x) for x in o["gids"]]
        if o["apparmor"]:
            proc["apparmorProfile"] = o["apparmor"]
        if o["label"]:
            proc["selinuxLabel"] = o["label"]
    if not o["detach"]:
        from berth.sys import prctl
        prctl.set_child_subreaper(True)
    pid = execproc.exec_process(root, cid, proc, pid_file=o["pid_file"],
                                console_socket=o["console_socket"],
                                preserve_fds=o["preserve_fds"] or 0)
    if o["detach"]:
        return 0
    from berth.runtime.run import wait_child
    return wait_child(pid)


def _user(text: str | None) -> str | None:
    if text is None:
        return None
    uid, _, gid = text.partition(":")
    if not uid.isdigit() or (gid and not gid.isdigit()):
        raise InvalidArgument(f"--user {text!r}: expected uid[:gid] as numbers")
    return text


def _read_json(path: str, what: str) -> Any:
    try:
        with (sys.stdin if path == "-" else open(path)) as f:
            return fastjson.loads(f.read())
    except OSError as e:
        raise InvalidArgument(f"{what} {path}: {e.strerror}") from None
    except ValueError as e:
        raise InvalidArgument(f"{what} {path}: invalid JSON: {e}") from None


COMMANDS = {
    "create": cmd_create, "run": cmd_run, "start": cmd_start, "state": cmd_state,
    "kill": cmd_kill, "delete": cmd_delete, "exec": cmd_exec,
}
#: the rarer verbs live in _cli_more, imported only when one of them is asked for
MORE = ("list", "ps", "pause", "resume", "update", "events", "spec", "features")


def _handler(cmd: str) -> Any:
    if cmd in COMMANDS:
        return COMMANDS[cmd]
    if cmd in MORE:
        from berth.runtime import _cli_more
        return getattr(_cli_more, f"cmd_{cmd}")
    raise InvalidArgument(f"no such command: {cmd}")


if __name__ == "__main__":
    sys.exit(main())
