"""``images``/``image ls`` and ``history``: the docker list formats over daemon JSON."""

from __future__ import annotations

import time

from berth._util.units import human_duration, human_size, human_size_precision
from berth.cli.commands._common import (
    bool_value,
    flag,
    format_option,
    globals_of,
    new_command,
    parse_filters,
    value,
)
from berth.cli.context import Globals, out
from berth.cli.format.govalues import Context
from berth.cli.format.listing import render
from berth.cli.usage import check_args

TYPE_CHECKING = False  # typing is not imported at start-up
if TYPE_CHECKING:
    from typing import Any

    import click

IMAGE_TABLE = ("table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t"
               "{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}")
IMAGE_TABLE_DIGEST = ("table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t"
                      "{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}")
IMAGE_HEADER = {"ID": "IMAGE ID", "Repository": "REPOSITORY", "Tag": "TAG",
                "Digest": "DIGEST", "CreatedSince": "CREATED", "CreatedAt": "CREATED AT",
                "Size": "SIZE", "Containers": "CONTAINERS", "VirtualSize": "SIZE",
                "SharedSize": "SHARED SIZE", "UniqueSize": "UNIQUE SIZE"}


def truncate_id(image_id: str) -> str:
    """stringid.TruncateID: drop ``algo:``, keep 12 characters."""
    return image_id.partition(":")[2][:12] if ":" in image_id else image_id[:12]


def go_time_string(ts: int) -> str:
    """Go's time.Time.String() in local time: ``2024-05-01 10:00:00 +0000 UTC``."""
    from datetime import datetime  # only when a template asks for CreatedAt

    return datetime.fromtimestamp(ts).astimezone().strftime("%Y-%m-%d %H:%M:%S %z %Z")


def since(ts: int) -> str:
    return human_duration(time.time() - ts) + " ago"


class ImageRow(Context):
    """One row of ``images``: docker's formatter.imageContext."""

    type_name = "*formatter.imageContext"
    json_fields = ("Containers", "CreatedAt", "CreatedSince", "Digest", "ID", "Repository",
                   "SharedSize", "Size", "Tag", "UniqueSize", "VirtualSize")

    def __init__(self, img: dict[str, Any], repo: str, tag: str, digest: str,
                 trunc: bool) -> None:
        self.i, self.repo, self.tag, self.digest, self.trunc = img, repo, tag, digest, trunc

    def ID(self) -> str:
        return truncate_id(self.i["Id"]) if self.trunc else self.i["Id"]

    def Repository(self) -> str:
        return self.repo

    def Tag(self) -> str:
        return self.tag

    def Digest(self) -> str:
        return self.digest

    def CreatedSince(self) -> str:
        return since(int(self.i.get("Created") or 0))

    def CreatedAt(self) -> str:
        return go_time_string(int(self.i.get("Created") or 0))

    def Size(self) -> str:
        return human_size_precision(self.i.get("Size") or 0, 3)

    def Containers(self) -> str:
        n = self.i.get("Containers", -1)
        return "N/A" if n == -1 else str(n)

    def VirtualSize(self) -> str:
        return human_size(self.i.get("Size") or 0)

    def SharedSize(self) -> str:
        shared = self.i.get("SharedSize", -1)
        return "N/A" if shared == -1 else human_size(shared)

    def UniqueSize(self) -> str:
        size, shared = self.i.get("Size", -1), self.i.get("SharedSize", -1)
        return "N/A" if -1 in (size, shared) else human_size(size - shared)


def image_format(source: str, quiet: bool, digest: bool) -> str:
    """formatter.NewImageFormat."""
    if source == "table":
        return "{{.ID}}" if quiet else IMAGE_TABLE_DIGEST if digest else IMAGE_TABLE
    if source.startswith("table") and digest and "{{.Digest}}" not in source:
        source += "\t{{.Digest}}"
    return source


def _is_dangling(img: dict[str, Any]) -> bool:
    tags, digests = img.get("RepoTags") or [], img.get("RepoDigests") or []
    if not tags and not digests:
        return True
    return tags == ["<none>:<none>"] and digests == ["<none>@<none>"]


def image_rows(images: list[dict[str, Any]], trunc: bool, show_digest: bool,
               need_digest: bool) -> list[ImageRow]:
    """Expand each image into rows per repository/tag/digest (imageFormatTaggedAndDigest)."""
    rows: list[ImageRow] = []
    for img in images:
        if _is_dangling(img):
            rows.append(ImageRow(img, "<none>", "<none>", "<none>", trunc))
            continue
        rows += _tagged_rows(img, trunc, show_digest, need_digest)
    return rows


def _group(refs: list[str], want: str) -> dict[str, list[str]]:
    from berth.oci.reference import split_familiar  # not on ps's import path

    out: dict[str, list[str]] = {}
    for ref in refs:
        name, tag, digest = split_familiar(ref)
        val = tag if want == "tag" else digest
        if val:
            out.setdefault(name, []).append(val)
    return out


def _tagged_rows(img: dict[str, Any], trunc: bool, show_digest: bool,
                 need_digest: bool) -> list[ImageRow]:
    tags = _group(img.get("RepoTags") or [], "tag")
    digests = _group(img.get("RepoDigests") or [], "digest")
    rows = []
    for repo, repo_tags in tags.items():
        repo_digests = digests.pop(repo, [])  # digests never get rows of their own here
        if not need_digest:
            repo_digests = []
        for tag in repo_tags:
            if not repo_digests:
                rows.append(ImageRow(img, repo, tag, "<none>", trunc))
            rows += [ImageRow(img, repo, tag, d, trunc) for d in repo_digests]
    for repo, repo_digests in digests.items():
        if show_digest:
            rows += [ImageRow(img, repo, "<none>", d, trunc) for d in repo_digests]
        else:
            rows.append(ImageRow(img, repo, "<none>", "", trunc))
    return rows


def list_images(g: Globals, path: str, usage: str, o: dict[str, Any],
                args: tuple[str, ...]) -> None:
    """The body of ``images``; ``o`` holds the flags by click's names (fast path too)."""
    check_args(args, path, usage, max=1)
    filters = parse_filters(o["filter"], path, usage)
    if args:
        filters.setdefault("reference", []).append(args[0])
    images = g.client().images.list(all=o["all"], filters=filters)
    fmt = image_format(o["format"] or "table", o["quiet"], o["digests"])
    need = o["digests"] or "{{.Digest}}" in fmt
    out(render(fmt, image_rows(images, not o["no_trunc"], o["digests"], need), IMAGE_HEADER))


def make_images(name: str, path: str, usage: str) -> click.Command:
    def run(ctx: click.Context, args: tuple[str, ...], **o: Any) -> None:
        list_images(globals_of(ctx), path, usage, o, args)

    return new_command(name, usage, run, [
        flag(["-q", "--quiet"], "Only show image IDs"),
        flag(["-a", "--all"], "Show all images (default hides intermediate images)"),
        flag(["--no-trunc"], "Don't truncate output"),
        flag(["--digests"], "Show digests"),
        format_option(),
        value(["-f", "--filter"], "Filter output based on conditions provided", multiple=True),
    ])


HISTORY_TABLE = "table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}"
HISTORY_TABLE_RAW = "table {{.ID}}\t{{.CreatedAt}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}"
HISTORY_HEADER = {"ID": "IMAGE", "CreatedSince": "CREATED", "CreatedAt": "CREATED AT",
                  "CreatedBy": "CREATED BY", "Size": "SIZE", "Comment": "COMMENT"}
_EPOCH_2000 = 946684800


class HistoryRow(Context):
    """One row of ``history``: docker's historyContext."""

    type_name = "*image.historyContext"
    json_fields = ("Comment", "CreatedAt", "CreatedBy", "CreatedSince", "ID", "Size")

    def __init__(self, h: dict[str, Any], trunc: bool, human: bool) -> None:
        self.h, self.trunc, self.human = h, trunc, human

    def ID(self) -> str:
        return truncate_id(self.h["Id"]) if self.trunc else self.h["Id"]

    def CreatedAt(self) -> str:
        from datetime import datetime

        ts = datetime.fromtimestamp(int(self.h.get("Created") or 0)).astimezone()
        text = ts.isoformat(timespec="seconds")
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    def CreatedSince(self) -> str:
        if not self.human:
            return self.CreatedAt()
        created = int(self.h.get("Created") or 0)
        return "N/A" if created <= _EPOCH_2000 else since(created)

    def CreatedBy(self) -> str:
        text = str(self.h.get("CreatedBy") or "").replace("\t", " ")
        return ellipsis(text, 45) if self.trunc else text

    def Size(self) -> str:
        size = int(self.h.get("Size") or 0)
        return human_size_precision(size, 3) if self.human else str(size)

    def Comment(self) -> str:
        return str(self.h.get("Comment") or "")


def ellipsis(s: str, width: int) -> str:
    """formatter.Ellipsis for narrow text: cut to width-1 runes plus ``…``."""
    if width <= 0:
        return ""
    return s if len(s) <= width else s[: width - 1] + "…"


def make_history(name: str, path: str, usage: str) -> click.Command:
    def run(ctx: click.Context, human: str | None, quiet: bool, no_trunc: bool, format: str,
            platform: str | None, args: tuple[str, ...]) -> None:
        check_args(args, path, usage, exact=1)
        is_human = bool_value(human)
        items = globals_of(ctx).client().images.history(args[0])
        fmt = format or "table"
        if fmt == "table":
            fmt = "{{.ID}}" if quiet else HISTORY_TABLE if is_human else HISTORY_TABLE_RAW
        rows = [HistoryRow(h, not no_trunc, is_human) for h in items]
        out(render(fmt, rows, HISTORY_HEADER))

    import click

    human_opt = click.Option(["-H", "--human"], is_flag=False, flag_value="true",
                             default=None,
                             help="Print sizes and dates in human readable format")
    return new_command(name, usage, run, [
        human_opt, flag(["-q", "--quiet"], "Only show image IDs"),
        flag(["--no-trunc"], "Don't truncate output"), format_option(),
        value(["--platform"], "Show history for the given platform"),
    ])
