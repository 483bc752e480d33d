"""Engine API JSON for images (API 1.44 shapes): ImageSummary, ImageInspect, history."""

from __future__ import annotations

from typing import Any

from berth.images import names
from berth.images.timefmt import format_nano, normalize_created, unix
from berth.metadata import ImageRecord, RefRecord
from berth.oci.image import ContainerConfig, HealthConfig, ImageConfig


def summary(rec: ImageRecord, refs: list[RefRecord], *, containers: int = -1,
            shared_size: int = -1) -> dict[str, Any]:
    return {
        "Containers": containers,
        "Created": unix(rec.created),
        "Id": rec.id,
        "Labels": dict(rec.labels),
        "ParentId": rec.parent,
        "RepoDigests": names.repo_digests(refs),
        "RepoTags": names.repo_tags(refs),
        "SharedSize": shared_size,
        "Size": rec.size,
    }


def _health(h: HealthConfig) -> dict[str, Any]:
    out: dict[str, Any] = {"Test": h.Test}
    for key in ("Interval", "Timeout", "StartPeriod", "StartInterval", "Retries"):
        if getattr(h, key):
            out[key] = getattr(h, key)
    return out


def container_config(c: ContainerConfig | None) -> dict[str, Any]:
    """The image's ``config`` in moby's container.Config shape (as 1.44 inspect shows)."""
    c = c or ContainerConfig()
    out: dict[str, Any] = {
        "Hostname": "", "Domainname": "", "User": c.User,
        "AttachStdin": False, "AttachStdout": False, "AttachStderr": False,
    }
    if c.ExposedPorts:
        out["ExposedPorts"] = c.ExposedPorts
    out.update({"Tty": False, "OpenStdin": False, "StdinOnce": False, "Env": c.Env,
                "Cmd": c.Cmd})
    if c.Healthcheck is not None:
        out["Healthcheck"] = _health(c.Healthcheck)
    if c.ArgsEscaped:
        out["ArgsEscaped"] = True
    out.update({"Image": "", "Volumes": c.Volumes, "WorkingDir": c.WorkingDir,
                "Entrypoint": c.Entrypoint, "OnBuild": c.OnBuild, "Labels": c.Labels})
    if c.StopSignal:
        out["StopSignal"] = c.StopSignal
    if c.Shell:
        out["Shell"] = c.Shell
    return out


def inspect(rec: ImageRecord, cfg: ImageConfig, refs: list[RefRecord],
            graph_driver: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "Id": rec.id,
        "RepoTags": names.repo_tags(refs),
        "RepoDigests": names.repo_digests(refs),
        "Parent": rec.parent,
        "Comment": cfg.comment,
        "Created": normalize_created(cfg.created),
        "DockerVersion": cfg.docker_version,
        "Author": cfg.author,
        "Config": container_config(cfg.config),
        "Architecture": cfg.architecture,
        "Os": cfg.os,
        "Size": rec.size,
        "GraphDriver": graph_driver,
        "RootFS": {"Type": cfg.rootfs.type or "layers", "Layers": list(cfg.rootfs.diff_ids)},
        "Metadata": {"LastTagTime": format_nano(rec.last_tag_time)},
    }
    if cfg.variant:
        out["Variant"] = cfg.variant
    if cfg.os_version:
        out["OsVersion"] = cfg.os_version
    return out


def history(rec: ImageRecord, cfg: ImageConfig, refs: list[RefRecord]) -> list[dict[str, Any]]:
    """``docker history``: newest first; only the top entry carries the ID and tags."""
    entries = list(cfg.history) or []
    layer_sizes = [layer.size for layer in rec.layers]
    rows: list[dict[str, Any]] = []
    i = 0
    for h in entries:
        size = 0
        if not h.empty_layer:
            size = layer_sizes[i] if i < len(layer_sizes) else 0
            i += 1
        rows.append({"Id": "<missing>", "Created": unix(h.created), "CreatedBy": h.created_by,
                     "Tags": None, "Size": size, "Comment": h.comment})
    for size in layer_sizes[i:]:  # layers the history does not describe
        rows.append({"Id": "<missing>", "Created": unix(cfg.created), "CreatedBy": "",
                     "Tags": None, "Size": size, "Comment": ""})
    rows.reverse()
    if not rows:
        rows.append({"Id": rec.id, "Created": unix(cfg.created), "CreatedBy": "",
                     "Tags": None, "Size": 0, "Comment": ""})
    rows[0]["Id"] = rec.id
    tags = names.repo_tags(refs)
    rows[0]["Tags"] = tags or None
    return rows
