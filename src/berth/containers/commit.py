"""``docker commit``: the container's changes as a new image on top of its image.

The diff is the overlay upper dir of the container's snapshot turned into an OCI layer
(``berth.archive.write_overlay_diff``: deletions become ``.wh.`` whiteouts, opaque
directories ``.wh..wh..opq``), written while the container is frozen (``pause=true``,
the default, as in moby: pause/unpause events included) so the layer is consistent.
The layer is spooled to a temp file, the container thawed, and only then is the image
built (``ImageService.commit_image``), so the freeze lasts as long as the tar write.
Mount points the runtime made for its own bind mounts (``/etc/hosts`` …) are left out:
docker keeps them in a separate init layer that commit never sees.
"""

from __future__ import annotations

import tempfile
from typing import Any

from berth.archive import write_overlay_diff
from berth.errdefs import Conflict, NotImplementedYet

from . import commitcfg
from ._base import ServiceBase
from .difffilter import INIT_PATHS


class CommitOps(ServiceBase):
    def pause(self, ref: str) -> None:  # ContainerService's own
        raise NotImplementedError("ContainerService.pause")

    def unpause(self, ref: str) -> None:
        raise NotImplementedError("ContainerService.unpause")

    def commit(self, ref: str, *, repo: str | None = None, tag: str | None = None,
               comment: str = "", author: str = "", pause: bool = True,
               changes: list[str] | None = None, config: Any = None) -> str:
        rec = self.get(ref)
        cid, st = rec["ID"], rec["State"]["Status"]
        if st == "removing":
            raise Conflict(f"You cannot commit container {cid} which is being removed")
        if st == "dead":
            raise Conflict(f"You cannot commit container {cid} which is Dead")
        if getattr(self.snapshotter, "whiteout_mode", "") != "overlay":
            raise NotImplementedYet("commit: only the overlay storage driver is supported")
        user = commitcfg.user_config(config, changes or [])
        new_cfg = commitcfg.image_config(user, rec["Config"])
        with tempfile.TemporaryFile(dir=self.exec_root) as layer:
            froze = pause and st == "running"
            if froze:
                self.pause(cid)
            try:
                upper = self.snapshotter.upper_dir(rec["SnapshotKey"])
                write_overlay_diff(upper, layer, exclude=INIT_PATHS)
            finally:
                if froze:
                    self.unpause(cid)
            layer.seek(0)
            image_id: str = self.images.commit_image(
                rec["Image"], layer, config=new_cfg, author=author, comment=comment,
                created_by=" ".join(rec["Config"].get("Cmd") or []), container=cid,
                repo=repo or None, tag=tag or None)
        image_ref = ""
        if repo:
            from berth.oci import reference
            image_ref = reference.parse_repo_tag(repo, tag or None).familiar
        self.publish("commit", rec, comment=comment, imageID=image_id, imageRef=image_ref)
        return image_id
