"""Helpers shared by the image tests (unit and privileged): service setup, tiny tars,
OCI layouts built by hand."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

from berth.content import LocalStore
from berth.images import ImageService
from berth.metadata import MetadataDB
from berth.snapshots import NativeSnapshotter


class Events(list[tuple[str, str, dict[str, str]]]):
    def __call__(self, action: str, actor: str, attrs: dict[str, str]) -> None:
        self.append((action, actor, attrs))

    def actions(self) -> list[str]:
        return [a for a, _, _ in self]


def open_service(root: Path, events: Events | None = None) -> ImageService:
    return ImageService(root, LocalStore(root / "content"),
                        NativeSnapshotter(root / "snapshots" / "native"),
                        MetadataDB(root / "metadata.db"), events, graph_driver="native")


def close_service(svc: ImageService) -> None:
    svc.db.close()
    svc.snapshotter.close()  # type: ignore[attr-defined]



def tar_of(files: dict[str, bytes]) -> bytes:
    """A small rootfs tar with the given regular files."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        for name, data in files.items():
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            tf.addfile(ti, io.BytesIO(data))
    return buf.getvalue()


def make_oci_layout(out_dir: Path, rootfs_tar: Path, name: str | None = "busybox:latest",
                    *, gzip_layer: bool = True, extra_config: dict | None = None) -> str:
    """An OCI image layout (one gzip layer) of ``rootfs_tar``; returns the config digest."""
    import gzip
    import hashlib
    import json

    blobs = out_dir / "blobs" / "sha256"
    blobs.mkdir(parents=True, exist_ok=True)

    def put(data: bytes) -> str:
        h = hashlib.sha256(data).hexdigest()
        (blobs / h).write_bytes(data)
        return f"sha256:{h}"

    raw = rootfs_tar.read_bytes()
    diff_id = "sha256:" + hashlib.sha256(raw).hexdigest()
    layer = gzip.compress(raw, mtime=0) if gzip_layer else raw
    layer_d = put(layer)
    config = {"architecture": "amd64", "os": "linux", "created": "2024-05-01T10:00:00Z",
              "config": {"Cmd": ["sh"], "Env": ["PATH=/bin:/usr/bin"]},
              "rootfs": {"type": "layers", "diff_ids": [diff_id]},
              "history": [{"created": "2024-05-01T10:00:00Z", "created_by": "ADD rootfs"}],
              **(extra_config or {})}
    cdata = json.dumps(config).encode()
    config_d = put(cdata)
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                           "digest": config_d, "size": len(cdata)},
                "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar" +
                            ("+gzip" if gzip_layer else ""), "digest": layer_d,
                            "size": len(layer)}]}
    mdata = json.dumps(manifest).encode()
    desc: dict = {"mediaType": manifest["mediaType"], "digest": put(mdata), "size": len(mdata)}
    if name:
        desc["annotations"] = {"org.opencontainers.image.ref.name": name.split(":")[-1],
                               "io.containerd.image.name": name}
    (out_dir / "index.json").write_text(json.dumps({"schemaVersion": 2, "manifests": [desc]}))
    (out_dir / "oci-layout").write_text('{"imageLayoutVersion":"1.0.0"}')
    return config_d


def tar_dir(src: Path, out: Path) -> Path:
    with tarfile.open(out, "w") as tf:
        for p in sorted(src.rglob("*")):
            tf.add(p, arcname=str(p.relative_to(src)), recursive=False)
    return out
