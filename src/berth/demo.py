"""`make demo`: berth's main job end to end, driven through its real commands.

Starts a private berthd, makes the busybox base image locally (Docker Hub is not needed:
the rootfs comes from Debian's busybox-static), imports it, lists it with `berth images`
and with the real `docker` CLI when present, runs a container through each, then stops
the daemon and cleans up.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from berth.testing.rootfs import make_busybox_tar

BIN = Path(sys.executable).parent


def _say(text: str) -> None:
    print(f"\n\033[1m$ {text}\033[0m", flush=True)


def _run(*args: str, stdin: bytes | None = None) -> None:
    _say(shlex.join(args))
    subprocess.run(args, check=True, input=stdin)


@contextlib.contextmanager
def berthd(root: Path) -> Iterator[str]:
    """A berthd on a private socket and roots; stopped and removed on exit."""
    sock = root / "berth.sock"
    cmd = [str(BIN / "berthd"), "-H", f"unix://{sock}", "--data-root", str(root / "data"),
           "--exec-root", str(root / "exec"), "--pidfile", str(root / "berthd.pid")]
    _say(" ".join(cmd) + " &")
    with open(root / "berthd.log", "wb") as log:
        proc = subprocess.Popen(cmd, stderr=log)
    try:
        deadline = time.monotonic() + 30
        while not sock.exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                sys.stderr.write((root / "berthd.log").read_text())
                raise SystemExit("berthd did not start")
            time.sleep(0.05)
        yield f"unix://{sock}"
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--root", type=Path, default=Path("/tmp/berth-demo"))
    args = ap.parse_args()
    shutil.rmtree(args.root, ignore_errors=True)
    args.root.mkdir(parents=True)
    with tempfile.TemporaryDirectory() as work, berthd(args.root) as host:
        env_host = ["-H", host]
        tarball = make_busybox_tar(Path(work) / "busybox.tar", Path(work))
        berth = str(BIN / "berth")
        _run(berth, *env_host, "version")
        _run(berth, *env_host, "import", "-c", 'CMD ["sh"]', str(tarball), "busybox:latest")
        _run(berth, *env_host, "images")
        _run(berth, *env_host, "history", "busybox")
        _run(berth, *env_host, "run", "--rm", "busybox", "sh", "-c",
             "echo hello from a berth container; id; hostname; ip -4 -o addr show eth0")
        _run(berth, *env_host, "volume", "create", "demo-data")
        _run(berth, *env_host, "run", "--rm", "-v", "demo-data:/data", "busybox", "sh", "-c",
             "echo kept in a volume > /data/note")
        _run(berth, *env_host, "run", "--rm", "-v", "demo-data:/data:ro", "busybox",
             "cat", "/data/note")
        if shutil.which("docker"):
            _run("docker", *env_host, "images")
            _run("docker", *env_host, "run", "--rm", "busybox", "echo", "hi from the docker CLI")
    shutil.rmtree(args.root, ignore_errors=True)
    print("\ndemo done: berthd stopped, roots removed", flush=True)
    os._exit(0)


if __name__ == "__main__":
    main()
