"""``system df``: the summary table (or ``-v`` per-object tables) over /system/df."""

from __future__ import annotations

import time
from typing import Any

import click

from berth._util.units import human_size, human_size_precision
from berth.cli.commands._common import globals_of, new_command
from berth.cli.commands.images import IMAGE_HEADER, ImageRow, since, truncate_id
from berth.cli.context import out
from berth.cli.format.govalues import Context
from berth.cli.format.listing import render
from berth.cli.usage import check_args
from berth.oci.reference import parse as parse_normalized

SUMMARY_TABLE = "table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}"
SUMMARY_HEADER = {"Type": "TYPE", "TotalCount": "TOTAL", "Active": "ACTIVE", "Size": "SIZE",
                  "Reclaimable": "RECLAIMABLE"}
DF_IMAGES = ("table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}\t"
             "{{.SharedSize}}\t{{.UniqueSize}}\t{{.Containers}}")
DF_CONTAINERS = ("table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.LocalVolumes}}\t{{.Size}}\t"
                 "{{.RunningFor}}\t{{.Status}}\t{{.Names}}")
CONTAINER_HEADER = {"ID": "CONTAINER ID", "Image": "IMAGE", "Command": "COMMAND",
                    "LocalVolumes": "LOCAL VOLUMES", "Size": "SIZE", "RunningFor": "CREATED",
                    "Status": "STATUS", "Names": "NAMES"}
DF_VOLUMES = "table {{.Name}}\t{{.Links}}\t{{.Size}}"
VOLUME_HEADER = {"Name": "VOLUME NAME", "Links": "LINKS", "Size": "SIZE"}
DF_CACHE = ("table {{.ID}}\t{{.CacheType}}\t{{.Size}}\t{{.CreatedSince}}\t"
            "{{.LastUsedSince}}\t{{.UsageCount}}\t{{.Shared}}")
CACHE_HEADER = {"ID": "CACHE ID", "CacheType": "CACHE TYPE", "Size": "SIZE",
                "CreatedSince": "CREATED", "LastUsedSince": "LAST USED",
                "UsageCount": "USAGE", "Shared": "SHARED"}


def _pct(part: int, total: int) -> str:
    return f"{human_size(part)} ({part * 100 // total}%)" if total > 0 else human_size(part)


def _active_container(c: dict[str, Any]) -> bool:
    state = str(c.get("State", ""))
    return any(s in state for s in ("running", "paused", "restarting"))


class Summary(Context):
    """One row of the summary table."""

    json_fields = ("Active", "Reclaimable", "Size", "TotalCount", "Type")

    def __init__(self, type_: str, total: int, active: int, size: str, reclaimable: str) -> None:
        self.Type, self.TotalCount, self.Active = type_, str(total), str(active)
        self.Size, self.Reclaimable = size, reclaimable


def summary_rows(du: dict[str, Any]) -> list[Summary]:
    """The four summary rows, with docker's reclaimable arithmetic."""
    images, ctrs = du.get("Images") or [], du.get("Containers") or []
    vols, cache = du.get("Volumes") or [], du.get("BuildCache") or []
    total = int(du.get("LayersSize") or 0)
    used = sum(i["Size"] - i["SharedSize"] for i in images if i.get("Containers", 0) != 0
               and -1 not in (i.get("Size", -1), i.get("SharedSize", -1)))
    crw = sum(int(c.get("SizeRw") or 0) for c in ctrs)
    cfree = sum(int(c.get("SizeRw") or 0) for c in ctrs if not _active_container(c))
    vsizes = [v.get("UsageData") or {} for v in vols]
    vtotal = sum(u.get("Size", 0) for u in vsizes if u.get("Size", -1) != -1)
    vfree = sum(u.get("Size", 0) for u in vsizes if u.get("Size", -1) != -1
                and u.get("RefCount", 0) == 0)
    bsize = sum(int(b.get("Size") or 0) for b in cache if not b.get("Shared"))
    binuse = sum(int(b.get("Size") or 0) for b in cache if b.get("InUse") and not b.get("Shared"))
    return [
        Summary("Images", len(images), sum(1 for i in images if i.get("Containers", 0) > 0),
                human_size(total), _pct(total - used, total)),
        Summary("Containers", len(ctrs), sum(1 for c in ctrs if _active_container(c)),
                human_size(crw), _pct(cfree, crw)),
        Summary("Local Volumes", len(vols), sum(1 for u in vsizes if u.get("RefCount", 0) > 0),
                human_size(vtotal), _pct(vfree, vtotal)),
        Summary("Build Cache", len(cache), sum(1 for b in cache if b.get("InUse")),
                human_size(bsize), human_size(bsize - binuse)),
    ]


class ContainerRow(Context):
    """A container row of ``df -v`` (docker's ContainerContext, the columns df uses)."""

    def __init__(self, c: dict[str, Any]) -> None:
        self.c = c

    def ID(self) -> str:
        return truncate_id(self.c["Id"])

    def Image(self) -> str:
        image = str(self.c.get("Image") or "<no image>")
        return truncate_id(image) if image.startswith("sha256:") else image

    def Command(self) -> str:
        cmd = str(self.c.get("Command") or "")
        cmd = cmd if len(cmd) <= 20 else cmd[:19] + "…"
        return '"' + cmd + '"'

    def LocalVolumes(self) -> str:
        return str(sum(1 for m in self.c.get("Mounts") or [] if m.get("Driver") == "local"))

    def Size(self) -> str:
        return human_size_precision(int(self.c.get("SizeRw") or 0), 3)

    def RunningFor(self) -> str:
        return since(int(self.c.get("Created") or time.time()))

    def Status(self) -> str:
        return str(self.c.get("Status") or "")

    def Names(self) -> str:
        names = [n[1:] if n.startswith("/") else n for n in self.c.get("Names") or []]
        return ",".join(n for n in names if "/" not in n)


class VolumeRow(Context):
    def __init__(self, v: dict[str, Any]) -> None:
        self.v = v

    def Name(self) -> str:
        return str(self.v.get("Name", ""))

    def Links(self) -> str:
        n = (self.v.get("UsageData") or {}).get("RefCount", -1)
        return "N/A" if n == -1 else str(n)

    def Size(self) -> str:
        n = (self.v.get("UsageData") or {}).get("Size", -1)
        return "N/A" if n == -1 else human_size(n)


def _df_image_row(img: dict[str, Any]) -> ImageRow:
    repo = tag = "<none>"
    tags = img.get("RepoTags") or []
    if tags and tags != ["<none>:<none>"]:
        ref = parse_normalized(tags[0])
        repo, tag = ref.familiar_name, ref.tag or "<none>"
    return ImageRow(img, repo, tag, "", True)


def verbose(du: dict[str, Any]) -> str:
    """The ``-v`` sections, each its own table."""
    cache = du.get("BuildCache") or []
    bsize = sum(int(b.get("Size") or 0) for b in cache if not b.get("Shared"))
    return ("Images space usage:\n\n"
            + render(DF_IMAGES, [_df_image_row(i) for i in du.get("Images") or []],
                     IMAGE_HEADER)
            + "\nContainers space usage:\n\n"
            + render(DF_CONTAINERS, [ContainerRow(c) for c in du.get("Containers") or []],
                     CONTAINER_HEADER)
            + "\nLocal Volumes space usage:\n\n"
            + render(DF_VOLUMES, [VolumeRow(v) for v in du.get("Volumes") or []],
                     VOLUME_HEADER)
            + f"\nBuild cache usage: {human_size(bsize)}\n\n"
            + render(DF_CACHE, [], CACHE_HEADER))


def make_df(name: str, path: str, usage: str) -> click.Command:
    def run(ctx: click.Context, verbose_: bool, format: str, args: tuple[str, ...]) -> None:
        check_args(args, path, usage, max=0)
        du = globals_of(ctx).client().system.df()
        if verbose_ and (not format or format == "table"):
            out(verbose(du))
            return
        fmt = SUMMARY_TABLE if not format or format == "table" else format
        out(render(fmt, summary_rows(du), SUMMARY_HEADER))

    return new_command(name, usage, run, [
        click.Option(["-v", "--verbose", "verbose_"], is_flag=True,
                     help="Show detailed information on space usage"),
        click.Option(["--format"], default="", help="Format output using a custom template"),
    ])
