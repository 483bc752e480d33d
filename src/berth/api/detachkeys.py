"""Detach keys for TTY attach: parse ``ctrl-p,ctrl-q`` and filter them out of stdin.

As in moby (``moby/term`` ``ToBytes`` and ``EscapeProxy``): bytes that could start the
sequence are held back; if the sequence completes the client detaches and the held
bytes are dropped, if it breaks they are passed on unchanged. Sans-IO: the attach route
feeds what it read from the client and forwards what comes back.
"""

from __future__ import annotations

from berth import errdefs

DEFAULT = "ctrl-p,ctrl-q"
_CTRL = {"ctrl-@": 0, "ctrl-[": 27, "ctrl-\\": 28, "ctrl-]": 29, "ctrl-^": 30, "ctrl-_": 31}
_CTRL.update({f"ctrl-{chr(ord('a') + i)}": i + 1 for i in range(26)})


def parse(keys: str) -> bytes:
    """The byte sequence for a detach-keys spec; a bad spec is InvalidArgument."""
    out = bytearray()
    for key in keys.split(","):
        if len(key) == 1:
            out.append(ord(key))
        elif key in _CTRL:
            out.append(_CTRL[key])
        else:
            raise errdefs.InvalidArgument(
                f"Invalid detach keys ({keys}) provided: unknown character: '{key}'")
    return bytes(out)


class DetachFilter:
    """Stateful filter over the client's stdin bytes."""

    def __init__(self, keys: bytes) -> None:
        self._keys = keys
        self._matched = 0
        self.detached = False

    def feed(self, data: bytes) -> bytes:
        """Bytes to forward to the container; sets ``detached`` when the keys complete
        (everything after them is dropped, the session ends)."""
        if not self._keys or self.detached:
            return b"" if self.detached else data
        out = bytearray()
        for byte in data:
            if byte == self._keys[self._matched]:
                self._matched += 1
                if self._matched == len(self._keys):
                    self.detached = True
                    return bytes(out)
                continue
            if self._matched:
                out += self._keys[:self._matched]
                self._matched = 0
                if byte == self._keys[0]:
                    self._matched = 1
                    continue
            out.append(byte)
        return bytes(out)
