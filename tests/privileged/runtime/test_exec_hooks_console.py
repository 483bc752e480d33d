"""exec into a running container, hooks in order with state on stdin, console socket."""

from __future__ import annotations

import array
import json
import os
import socket
import sys
import threading
from typing import Any

import pytest
from tests.privileged.runtime.conftest import Runtime, read_proc, wait_for

pytestmark = pytest.mark.root


def _running(rt: Runtime) -> str:
    cid = rt.new_id()
    rt.cli("run", "-d", "-b", str(rt.bundle(["sleep", "1000"])), cid)
    return cid


def test_exec_args_env_user_and_exit_code(rt: Runtime) -> None:
    cid = _running(rt)
    res = rt.cli("exec", "-e", "X=1", "-u", "12:34", "--cwd", "/tmp", cid, "sh", "-c",
                 "echo $X $(id -u):$(id -g) $(pwd); ls /proc | grep -c '^[0-9]'; exit 5",
                 check=False)
    assert res.returncode == 5, res.stderr
    lines = res.stdout.split("\n")
    assert lines[0] == "1 12:34 /tmp"
    assert int(lines[1]) <= 4            # same pid namespace as the container
    rt.cli("delete", "-f", cid)


def test_exec_process_json_detach_pid_file(rt: Runtime) -> None:
    cid = _running(rt)
    proc = {"args": ["sleep", "500"], "cwd": "/", "env": ["PATH=/bin"],
            "user": {"uid": 0, "gid": 0}}
    pf = rt.tmp / "proc.json"
    pf.write_text(json.dumps(proc))
    pid_file = rt.tmp / "exec.pid"
    rt.cli("exec", "--process", str(pf), "-d", "--pid-file", str(pid_file), cid)
    pid = int(pid_file.read_text())
    wait_for(lambda: b"sleep" in read_proc(f"/proc/{pid}/cmdline"))
    assert os.readlink(f"/proc/{pid}/ns/pid") == os.readlink(
        f"/proc/{rt.state(cid)['pid']}/ns/pid")
    rt.cli("delete", "-f", cid)


def test_exec_missing_binary_is_clear(rt: Runtime) -> None:
    cid = _running(rt)
    res = rt.cli("exec", cid, "/no/such/bin", check=False)
    assert res.returncode == 127 and "no/such/bin" in res.stderr
    rt.cli("delete", "-f", cid)


def test_hooks_run_in_order_with_state(rt: Runtime) -> None:
    log = rt.tmp / "hooks.log"
    hook = rt.tmp / "hook.py"
    hook.write_text(
        "import json, sys\n"
        "st = json.load(sys.stdin)\n"
        f"open({str(log)!r}, 'a').write(sys.argv[1] + ' ' + st['status'] + ' ' + st['id']"
        " + ' ' + str(st['pid'] > 0) + '\\n')\n")

    def edit(cfg: dict[str, Any]) -> None:
        cfg["hooks"] = {name: [{"path": sys.executable, "args": ["python", str(hook), name]}]
                        for name in ("prestart", "createRuntime", "createContainer",
                                     "poststart", "poststop")}
    b = rt.edit(rt.bundle(["true"]), edit)
    cid = rt.new_id()
    rt.cli("run", "-b", str(b), cid)
    names = [line.split()[0] for line in log.read_text().splitlines()]
    assert names == ["prestart", "createRuntime", "createContainer", "poststart", "poststop"]
    assert all(line.split()[2] == cid for line in log.read_text().splitlines())
    assert log.read_text().splitlines()[3].split()[1] == "running"


def test_failing_hook_fails_create(rt: Runtime) -> None:
    def edit(cfg: dict[str, Any]) -> None:
        cfg["hooks"] = {"createRuntime": [{"path": "/bin/false"}]}
    res = rt.run([], bundle=rt.edit(rt.bundle(["true"]), edit), check=False)
    assert res.returncode == 1 and "hook createRuntime[0] (/bin/false)" in res.stderr


def test_console_socket_receives_pty_master(rt: Runtime) -> None:
    sock_path = str(rt.tmp / "console.sock")
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(sock_path)
    srv.listen(1)
    got: dict[str, Any] = {}

    def accept() -> None:
        conn, _ = srv.accept()
        fds = array.array("i")
        msg, anc, _f, _a = conn.recvmsg(1024, socket.CMSG_SPACE(4))
        fds.frombytes(anc[0][2])
        got["name"], got["fd"] = msg, fds[0]
        conn.close()

    t = threading.Thread(target=accept)
    t.start()
    b = rt.bundle(["sh", "-c", "tty; stty size"], terminal=True)
    rt.edit(b, lambda c: c["process"].__setitem__("consoleSize", {"height": 30, "width": 90}))
    cid = rt.new_id()
    try:
        rt.cli("create", "--console-socket", sock_path, "-b", str(b), cid)
        t.join(10)
        master = got["fd"]
        rt.cli("start", cid)
        out = b""
        while b"30 90" not in out:
            try:
                chunk = os.read(master, 1024)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        os.close(master)
        assert b"/dev/pts/0" in out and b"30 90" in out
    finally:
        srv.close()


def test_create_terminal_without_console_socket_refused(rt: Runtime) -> None:
    res = rt.cli("create", "-b", str(rt.bundle(["true"], terminal=True)), rt.new_id(),
                 check=False)
    assert res.returncode == 1 and "console socket" in res.stderr
