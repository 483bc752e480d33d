"""Command line, environment and working directory, with docker's merge rules.

Entrypoint/Cmd: a create body's Entrypoint replaces the image's and, unless the body
also has a Cmd, drops the image's Cmd too; ``--entrypoint ""`` arrives as ``[""]`` and
clears the entrypoint (the image's Cmd is kept). Env: the image's, then the body's, a
later ``KEY=`` replacing an earlier one in place.
"""

from __future__ import annotations

from typing import Any

from berth.errdefs import InvalidArgument

DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def entrypoint_and_cmd(user: dict[str, Any], image: dict[str, Any]
                       ) -> tuple[list[str] | None, list[str] | None]:
    """The container's (Entrypoint, Cmd) after docker's merge with the image config."""
    ep, cmd = user.get("Entrypoint"), user.get("Cmd")
    if isinstance(ep, str):
        ep = [ep]
    if isinstance(cmd, str):
        cmd = [cmd]
    if ep == [""]:
        return None, cmd if cmd else image.get("Cmd")
    if ep:
        return ep, cmd
    return image.get("Entrypoint"), cmd if cmd else image.get("Cmd")


def path_and_args(ep: list[str] | None, cmd: list[str] | None) -> tuple[str, list[str]]:
    argv = list(ep or []) + list(cmd or [])
    if not argv:
        raise InvalidArgument("No command specified")
    return argv[0], argv[1:]


def merge_env(*envs: list[str] | None) -> list[str]:
    """``KEY=value`` lists merged left to right; a later KEY replaces in place."""
    out: list[str] = []
    index: dict[str, int] = {}
    for env in envs:
        for kv in env or []:
            key = kv.split("=", 1)[0]
            if key in index:
                out[index[key]] = kv
            else:
                index[key] = len(out)
                out.append(kv)
    return out


def process_env(config_env: list[str], hostname: str, tty: bool) -> list[str]:
    """What the process sees: PATH default, HOSTNAME, TERM (with a TTY), then Config.Env."""
    base = [DEFAULT_PATH, f"HOSTNAME={hostname}"] + (["TERM=xterm"] if tty else [])
    return merge_env(base, config_env)


def check_env(env: list[str] | None) -> None:
    for kv in env or []:
        if not isinstance(kv, str) or kv.startswith("=") or kv == "":
            raise InvalidArgument(f"invalid environment variable: {kv}")


def check_workdir(wd: str) -> None:
    if wd and not wd.startswith("/"):
        raise InvalidArgument(
            f"the working directory '{wd}' is invalid, it needs to be an absolute path")


def console_size(hc: dict[str, Any]) -> dict[str, int] | None:
    size = hc.get("ConsoleSize") or [0, 0]
    if len(size) == 2 and size[0] and size[1]:
        return {"height": int(size[0]), "width": int(size[1])}
    return None
