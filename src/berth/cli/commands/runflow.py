"""The body of ``run``/``create`` once flags are parsed (imported only by those two).

Kept apart from the click wiring so ``run`` pays for what it uses: nothing here is
imported by other commands except ``start -a`` (which reuses :func:`attach_and_start`).
"""

from __future__ import annotations

import _signal  # not ``signal``: that one builds enums (``enum`` costs ~2 ms at start-up)
import sys

from berth import errdefs
from berth.cli import tty
from berth.cli.commands import containerspec, runnet
from berth.cli.commands.run import invoke_status, print_warnings, run_error
from berth.cli.usage import CLIError

TYPE_CHECKING = False  # typing is not imported at start-up
if TYPE_CHECKING:
    from typing import Any

    from berth.client import APIClient


def _check(o: dict[str, Any], path: str, run: bool) -> None:
    if o["pull"] not in (None, "missing", "always", "never"):
        raise run_error(f'invalid pull option: \'{o["pull"]}\': must be one of "always", '
                        '"missing" or "never"', path)
    if run and o["detach"] and o["attach"]:
        raise run_error("Conflicting options: -a and -d", path)
    why = runnet.problem(o)
    if why:
        raise run_error(why, path)
    if run and o["detach"] and o["rm"] is None:
        pass
    if o["tty"] and (o["interactive"] or "stdin" in o["attach"]) and not o.get("detach") \
            and run and not tty.is_tty(sys.stdin.fileno()):
        raise CLIError("the input device is not a TTY", 1)


def run_or_create(c: APIClient, o: dict[str, Any], image: str, cmd: list[str], path: str,
                  run: bool) -> int:
    """Create (and for ``run``, start and follow) a container; returns the exit status."""
    _check(o, path, run)
    console = (0, 0)
    if o["tty"] and tty.is_tty(sys.stdout.fileno()):
        console = tty.size() or (0, 0)
    body = containerspec.build(o, image, cmd, console, run)
    try:
        created = _create(c, body, o, image)
    except CLIError:
        raise
    except errdefs.BerthError as exc:
        if not run:  # docker's create returns the daemon's error as is: no help, status 1
            raise CLIError(_message(exc), 1) from None
        raise run_error(_message(exc), path) from None
    print_warnings(created)
    cid = created["Id"]
    if o["cidfile"]:
        with open(o["cidfile"], "x") as f:
            f.write(cid)
    if not run:
        sys.stdout.write(cid + "\n")
        return 0
    try:
        return _run(c, o, body, cid, path)
    except CLIError:
        raise
    except errdefs.BerthError as exc:
        msg = _message(exc)
        raise run_error(msg, path, invoke_status(msg)) from None


def _message(exc: errdefs.BerthError) -> str:
    from berth.client import is_daemon_error

    return f"Error response from daemon: {exc.message}" if is_daemon_error(exc) else exc.message


def _create(c: APIClient, body: dict[str, Any], o: dict[str, Any], image: str) -> dict[str, Any]:
    name, platform = o["name"], o["platform"]
    if o["pull"] == "always":
        _pull(c, image, platform, o["quiet"])
    try:
        return c.containers.create(body, name, platform)
    except errdefs.NotFound:
        if o["pull"] in ("never", "always"):
            raise
    from berth.oci.reference import parse as parse_normalized

    ref = parse_normalized(image)
    shown = ref.familiar_name + (":" + ref.tag if ref.tag else "") + \
        ("@" + ref.digest if ref.digest else "")
    if not ref.tag and not ref.digest:
        shown += ":latest"
    sys.stderr.write(f"Unable to find image '{shown}' locally\n")
    _pull(c, image, platform, o["quiet"])
    return c.containers.create(body, name, platform)


def _pull(c: APIClient, image: str, platform: str | None, quiet: bool) -> None:
    from berth.cli.format.jsonstream import display
    from berth.client import iter_json_messages
    from berth.client.images import pull
    from berth.oci.reference import parse as parse_normalized

    ref = parse_normalized(image)
    tag = ref.digest or ref.tag or "latest"
    resp = pull(c, ref.name, tag, platform)
    msgs = iter_json_messages(resp)
    if quiet:
        from berth.client import message_error

        for m in msgs:
            err = message_error(m)
            if err:
                raise err
    else:
        display(msgs, sys.stderr, terminal=False)


def _run(c: APIClient, o: dict[str, Any], body: dict[str, Any], cid: str, path: str) -> int:
    from berth.cli.attachio import Session

    detach = o["detach"]
    use_tty = body["Tty"]
    session = None
    if not detach:
        keys = tty.parse_detach_keys(o["detach_keys"])
        hijack = c.containers.attach(cid, body["AttachStdin"], body["AttachStdout"],
                                     body["AttachStderr"], o["detach_keys"])
        session = Session(hijack, use_tty, body["AttachStdin"], keys)
    waiter = c.containers.wait(cid, "removed" if o["rm"] else "next-exit")
    try:
        c.containers.start(cid)
    except errdefs.BerthError:
        if session is not None:
            session.resp.close()
        waiter.close()
        raise
    if detach:
        waiter.close()
        sys.stdout.write(cid + "\n")
        return 0
    assert session is not None
    sig_proxy = (o["sig_proxy"] or "true").lower() in ("1", "t", "true")
    restore = _signals(c, cid, use_tty, sig_proxy)
    try:
        if use_tty and tty.is_tty(sys.stdout.fileno()):
            _resize(c, cid)
        with tty.raw(sys.stdin.fileno(), use_tty and body["AttachStdin"]):
            if session.run():
                waiter.close()
                return 0
    finally:
        restore()
    return wait_status(waiter)


def wait_status(waiter: Any) -> int:
    """The exit status from a wait answer ({"StatusCode", "Error"}).

    The answer is the first JSON value, taken as soon as it is complete: docker's CLI
    decodes one value and does not wait for the chunked body's end either.
    """
    from berth._util.fastjson import first_value, loads

    data, doc = b"", None
    while doc is None:
        chunk = waiter.read1()
        if not chunk:
            doc = loads(data) if data.strip() else {}
            break
        data += chunk
        doc = first_value(data)
    waiter.close()
    err = (doc.get("Error") or {}).get("Message")
    if err:
        sys.stderr.write(f"{err}\n")
        return 125
    return int(doc.get("StatusCode", 0))


def _resize(c: APIClient, cid: str) -> None:
    sz = tty.size()
    if sz:
        try:
            c.containers.resize(cid, *sz)
        except (errdefs.BerthError, OSError):
            pass


_PROXIED = ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGWINCH")


def _signals(c: APIClient, cid: str, use_tty: bool, proxy: bool) -> Any:
    """Forward signals (docker's sig-proxy) and resize on SIGWINCH; returns an undo."""
    saved: dict[int, Any] = {}
    names = {getattr(_signal, name): name[3:] for name in _PROXIED}

    def forward(signum: int, _frame: Any) -> None:
        try:
            if signum == _signal.SIGWINCH and use_tty:
                _resize(c, cid)
            if proxy:
                c.containers.kill(cid, names[signum])
        except (errdefs.BerthError, OSError):
            pass

    for name in _PROXIED:
        if proxy or (name == "SIGWINCH" and use_tty):
            num = getattr(_signal, name)
            saved[num] = _signal.signal(num, forward)

    def restore() -> None:
        for num, handler in saved.items():
            _signal.signal(num, handler)

    return restore
