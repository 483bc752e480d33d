"""Volume names: the local driver's rule, generated names, the anonymous label.

The rule is the local driver's (a name becomes a directory under the data-root, so
nothing that could climb out of it may pass); plugins may accept any name.
"""

from __future__ import annotations

import re
import secrets

from berth.errdefs import InvalidArgument

RESTRICTED_CHARS = "[a-zA-Z0-9][a-zA-Z0-9_.-]"
_PATTERN = re.compile(r"\A[a-zA-Z0-9][a-zA-Z0-9_.-]+\Z")
ANONYMOUS_LABEL = "com.docker.volume.anonymous"


def go_quote(s: str) -> str:
    """Go's %q for the printable ASCII names users type (escapes quote and backslash)."""
    out = []
    for ch in s:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def validate_local_name(name: str) -> None:
    """Raise docker's InvalidArgument for a name the local driver cannot store."""
    if len(name) == 1:
        raise InvalidArgument("volume name is too short, names should be at least two "
                              "alphanumeric characters")
    if not _PATTERN.match(name):
        raise InvalidArgument(
            f"{go_quote(name)} includes invalid characters for a local volume name, only "
            f"{go_quote(RESTRICTED_CHARS)} are allowed. If you intended to pass a host "
            "directory, use absolute path")


def generate_name() -> str:
    """A random 64-hex name, as docker gives anonymous volumes."""
    return secrets.token_hex(32)
