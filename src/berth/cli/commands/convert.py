"""Value conversions the docker CLI does client-side, with pflag's error wording.

Sizes (go-units ``RAMInBytes``: binary multiples), Go durations, decimal CPU counts,
ulimits, restart policies, key=value lists and env/label files.
"""

from __future__ import annotations

import os

from berth.cli.usage import CLIError

# patterns, compiled (and cached) by ``re`` on first use: ``re`` (with ``enum``) is not
# imported when a run line has no size or duration flag
_SIZE = r"^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$"
_DUR = r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)"
_DUR_NS = {"ns": 1, "us": 1000, "µs": 1000, "ms": 10**6, "s": 10**9, "m": 60 * 10**9,
           "h": 3600 * 10**9}


class BadValue(Exception):
    """A flag value that doesn't parse; the caller adds the flag's name."""


def invalid(value: str, flag: str, why: str) -> CLIError:
    """pflag's ``invalid argument "v" for "-m, --memory" flag: why`` (exit 125)."""
    return CLIError(f'invalid argument "{value}" for "{flag}" flag: {why}\n'
                    f"See 'berth run --help'.", 125)


def ram_in_bytes(s: str) -> int:
    """go-units RAMInBytes: ``100m`` = 100 MiB."""
    import re

    m = re.match(_SIZE, s)
    if not m:
        raise BadValue(f"invalid size: '{s}'")
    mult = 1024 ** " kmgtp".index((m.group(2) or " ").lower())
    return int(float(m.group(1)) * mult)


def duration_ns(s: str) -> int:
    """Go's time.ParseDuration, in nanoseconds."""
    text, sign = s, 1
    if text[:1] in "+-":
        sign, text = (-1 if text[0] == "-" else 1), text[1:]
    if text == "0":
        return 0
    import re

    pos, total = 0, 0.0
    for m in re.finditer(_DUR, text):
        if m.start() != pos:
            break
        total += float(m.group(1)) * _DUR_NS[m.group(2)]
        pos = m.end()
    if not text or pos != len(text):
        if text and pos == 0 and re.fullmatch(r"[\d.]+", text):
            raise BadValue(f'time: missing unit in duration "{s}"')
        raise BadValue(f'time: invalid duration "{s}"')
    return sign * round(total)


def nano_cpus(s: str) -> int:
    try:
        v = float(s)
    except ValueError:
        raise BadValue(f"failed to parse {s} as a rational number") from None
    return round(v * 1e9)


def integer(s: str) -> int:
    try:
        return int(s, 0) if s.lower().startswith(("0x", "0o")) else int(s)
    except ValueError:
        raise BadValue(f'strconv.ParseInt: parsing "{s}": invalid syntax') from None


def ulimit(s: str) -> dict[str, object]:
    name, sep, vals = s.partition("=")
    if not sep:
        raise BadValue(f"invalid ulimit argument: {s}")
    soft, _, hard = vals.partition(":")
    try:
        lo = int(soft)
        hi = int(hard) if hard else lo
    except ValueError:
        raise BadValue(f"invalid ulimit argument: {s}") from None
    if lo > hi:
        raise BadValue(f"ulimit soft limit must be less than or equal to hard limit: "
                       f"{lo} > {hi}")
    return {"Name": name, "Hard": hi, "Soft": lo}


def restart_policy(s: str) -> dict[str, object]:
    if not s:
        return {"Name": "no", "MaximumRetryCount": 0}
    name, _, count = s.partition(":")
    if name not in ("no", "always", "unless-stopped", "on-failure"):
        raise BadValue(f"invalid restart policy: unknown policy '{name}'; use one of 'no', "
                       "'always', 'on-failure', or 'unless-stopped'")
    return {"Name": name, "MaximumRetryCount": int(count) if count else 0}


def env_value(entry: str) -> str:
    """opts.ValidateEnv: ``NAME`` alone takes the caller's value when it has one."""
    if "=" in entry:
        return entry
    val = os.environ.get(entry)
    return entry if val is None else f"{entry}={val}"


def read_kv_file(path: str, env: bool) -> list[str]:
    """opts.ParseEnvFile / ParseLabelFile: skip blanks and ``#`` comments."""
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except FileNotFoundError:
        raise CLIError(f"open {path}: no such file or directory", 125) from None
    out = []
    for raw in lines:
        line = raw.lstrip()
        if not line or line.startswith("#"):
            continue
        if env:
            if "=" not in line and line not in os.environ:
                continue  # an env file's unset bare name is dropped (-e keeps it)
            out.append(env_value(line))
        else:
            out.append(line)
    return out


def kv_map(items: list[str] | tuple[str, ...]) -> dict[str, str]:
    """``k=v`` strings → map (``k`` alone → empty value)."""
    out: dict[str, str] = {}
    for item in items:
        k, _, v = item.partition("=")
        out[k] = v
    return dict(sorted(out.items()))  # Go marshals maps with sorted keys
