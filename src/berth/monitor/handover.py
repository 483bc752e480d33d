"""The hand-over from the Python set-up to ``berth-monitor`` (docs/design/monitor.md).

A container's monitor is set up in Python (``monitor.Setup``: stdio, the runtime's
``create`` in a throwaway child, the pty master, ``monitor.pid``, the listening
``monitor.sock``, the reply to the spawner); then this module ``execve``\\ s the native
monitor (``native/``, built by ``make install`` into the venv's bin directory) in the
same process. execve keeps the pid and its start time (so ``monitor.pid`` stays true),
the child-subreaper flag, the children (the container's init stays ours to reap), the
cwd (the state dir) and every fd not marked close-on-exec: the fds handed over are made
inheritable here and named in the argument list (``native/main.c`` lists it).

Why: a forked CPython monitor holds ~2 MiB of private pages however little it does
(monitor.md, "Memory"); the native one holds a few dozen.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, NoReturn

    from berth.monitor.monitor import Setup

BINARY = "berth-monitor"


def binary() -> str:
    """The native monitor next to the interpreter (``.venv/bin/berth-monitor``);
    ``BERTH_MONITOR`` overrides (tests of a fresh build)."""
    return os.environ.get("BERTH_MONITOR") or os.path.join(
        os.path.dirname(sys.executable), BINARY)


def check_binary() -> str:
    """The binary's path, or the error a spawn replies when it is missing."""
    from berth.errdefs import FailedPrecondition
    path = binary()
    if not os.access(path, os.X_OK):
        raise FailedPrecondition(f"{path}: the native monitor is missing (run make install)")
    return path


def helper_argv() -> list[str]:
    """The Python one-shot the native monitor runs for poststart hooks and the clean-up
    (``helper.main``): ``python -I -S`` finding ``berth`` by its own directory, like the
    spawner."""
    import berth
    root = os.path.dirname(os.path.dirname(os.path.abspath(berth.__file__)))
    code = (f"import sys; sys.path.insert(0, {root!r}); "
            "from berth.monitor.helper import main; sys.exit(main(sys.argv[1:]))")
    return [sys.executable, "-I", "-S", "-c", code]


def log_args(cfg: dict[str, Any]) -> list[str]:
    """The log driver's arguments (``cfg``: the spawn request's ``log``, checked by
    ``logs.log_config``)."""
    from berth.monitor.logs import log_config
    driver, path, max_size, max_file, compress = log_config(cfg)
    if driver == "none":
        return ["--log-driver=none"]
    out = [f"--log-driver={driver}", f"--log-path={path}", f"--log-max-size={max_size}",
           f"--log-max-file={max_file}"]
    return out + (["--log-compress"] if compress else [])


def argv(s: Setup, path: str) -> tuple[list[str], list[int]]:
    """berth-monitor's argument list for a set-up container, and the fds it gets."""
    st = s.stdio
    assert s.listener is not None
    fds = [s.listener.fileno()]
    args = [path, f"--id={s.cid}", f"--state-dir={s.state_dir}",
            f"--listen-fd={fds[0]}", f"--init-pid={int(s.state['pid'])}",
            f"--runtime-root={s.runtime_root}"]
    if not s.started:  # without it berth-monitor knows the init runs (start: "already started")
        args.append(f"--exec-fifo={s.state['fifo']}")
    if st.tty:
        assert st.out is not None
        args.append(f"--pty-fd={st.out}")
        fds.append(st.out)
    else:
        for name, fd in (("out", st.out), ("err", st.err), ("in", st.inp)):
            if fd is not None:
                args.append(f"--{name}-fd={fd}")
                fds.append(fd)
    if s.req.get("stdin_once"):
        args.append("--stdin-once")
    if s.lock_fd >= 0:
        args.append(f"--lock-fd={s.lock_fd}")
        fds.append(s.lock_fd)
    if s.state.get("oom_file"):
        args += [f"--oom-file={s.state['oom_file']}", f"--oom-base={s.state['oom_base']}"]
    if s.state.get("poststart"):
        args.append("--poststart")
    if not s.state.get("poststop") and "cgroups" in s.state:
        # the delete after the exit is plain rmdir/unlink: berth-monitor does it instead
        # of a Python helper (native/delete.c; the helper stays the fallback)
        args += ["--native-delete", *(f"--cgroup={d}" for d in s.state["cgroups"])]
    args += log_args(s.req.get("log") or {"driver": "none"})
    return [*args, "--", *helper_argv()], fds


def exec_native(s: Setup, path: str) -> NoReturn:
    """Become berth-monitor (never returns; an execve failure raises OSError)."""
    args, fds = argv(s, path)
    for fd in fds:
        os.set_inheritable(fd, True)
    os.execv(path, args)
