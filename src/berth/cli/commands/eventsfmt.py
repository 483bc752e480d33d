"""``events`` output: docker's default line and ``--format`` on Go's ``events.Message``.

docker runs the template on the typed struct, so field names are the Go ones (``.Status``,
``.ID``, ``.From``, ``.Actor.ID``, ``.TimeNano``) while the wire JSON says ``status``,
``id``, ``from``, ``time``; an unknown field is "can't evaluate field X in type
*events.Message". ``{{json .}}`` marshals the struct, i.e. the wire JSON back.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from berth.cli.format.govalues import Context
from berth.cli.format.template import Template, TemplateError
from berth.cli.usage import CLIError


class _Actor(Context):
    type_name = "events.Actor"

    def __init__(self, raw: dict[str, Any]) -> None:
        self._raw = raw
        self.ID = raw.get("ID") or ""
        self.Attributes = raw.get("Attributes") or {}

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"ID": self.ID}
        if self.Attributes:  # a Go map: marshalled with sorted keys
            doc["Attributes"] = {k: self.Attributes[k] for k in sorted(self.Attributes)}
        return doc


class Message(Context):
    """One event as docker's ``*events.Message`` (deprecated top-level fields included)."""

    type_name = "*events.Message"

    def __init__(self, raw: dict[str, Any]) -> None:
        self._raw = raw
        self.Status = raw.get("status") or ""
        self.ID = raw.get("id") or ""
        self.From = raw.get("from") or ""
        self.Type = raw.get("Type") or ""
        self.Action = raw.get("Action") or ""
        self.Actor = _Actor(raw.get("Actor") or {"ID": "", "Attributes": None})
        self.Scope = raw.get("scope") or ""
        self.Time = int(raw.get("time") or 0)
        self.TimeNano = int(raw.get("timeNano") or 0)

    def to_json(self) -> dict[str, Any]:
        """Go's field order, with ``omitempty`` on the deprecated status/id/from."""
        raw = self._raw
        doc = {k: raw[k] for k in ("status", "id", "from") if raw.get(k)}
        doc.update({"Type": self.Type, "Action": self.Action, "Actor": self.Actor,
                    "scope": self.Scope, "time": self.Time, "timeNano": self.TimeNano})
        return doc


def compile_format(fmt: str) -> Template | None:
    """Parse ``--format`` and try it on an empty message first, as docker does: a bad
    template fails before any event (``Error parsing format: …``, status 64)."""
    if not fmt:
        return None
    try:
        tmpl = Template("{{json .}}" if fmt == "json" else fmt)
        tmpl.execute(Message({}))
    except TemplateError as exc:
        raise CLIError(f"Error parsing format: {exc}", 64) from None
    return tmpl


def event_line(ev: dict[str, Any], tmpl: Template | None) -> str:
    """The template's output, or docker's default ``<time> <type> <action> <id> (k=v, …)``."""
    if tmpl is not None:
        return tmpl.execute(Message(ev))
    nanos = int(ev.get("timeNano") or int(ev.get("time") or 0) * 10**9)
    dt = datetime.fromtimestamp(nanos // 10**9, UTC).astimezone()
    zone = dt.strftime("%z")  # Go's Z07:00: "Z" for UTC, else ±hh:mm
    stamp = dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{nanos % 10**9:09d}" + \
        ("Z" if zone in ("+0000", "") else zone[:3] + ":" + zone[3:])
    actor = ev.get("Actor") or {}
    attrs = actor.get("Attributes") or {}
    line = f"{stamp} {ev.get('Type', '')} {ev.get('Action', '')} {actor.get('ID', '')}"
    if attrs:
        line += " (" + ", ".join(f"{k}={attrs[k]}" for k in sorted(attrs)) + ")"
    return line
