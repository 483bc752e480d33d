"""``docker cp`` and ``docker commit`` routes: ``/containers/{id}/archive`` and ``/commit``.

HEAD answers the path's stat in ``X-Docker-Container-Path-Stat`` (base64 JSON, moby's
ContainerPathStat); GET sends the same header and a tar; PUT streams the request body
(a tar, maybe compressed) into the service through a ``BodyPipe`` — never spooled here.
A missing ``path`` is moby's 400 ``Path cannot be empty``. POST /commit answers 201
``{"Id": "sha256:…"}``; ``pause`` defaults to true, ``changes`` may repeat, the body is
an optional Config (``null`` from docker-py).
"""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

from aiohttp import web

from berth import errdefs

from ..aiter import as_async
from ..app import EXECUTOR, add_route, in_thread
from ..bridge import BodyPipe
from ..params import bool_value, query_list
from .common import container_backend, json_response

STAT_HEADER = "X-Docker-Container-Path-Stat"


def _path(request: web.Request) -> str:
    path = request.query.get("path", "")
    if not path:
        raise errdefs.InvalidArgument("Path cannot be empty")
    return path


def _stat_header(stat: dict[str, Any]) -> dict[str, str]:
    raw = json.dumps(stat, separators=(",", ":")).encode()
    return {STAT_HEADER: base64.standard_b64encode(raw).decode()}


async def archive_head(request: web.Request) -> web.Response:
    svc = container_backend(request)
    stat = await in_thread(request, svc.archive_stat, request.match_info["id"],
                           _path(request))
    return web.Response(status=200, headers=_stat_header(stat))


async def archive_get(request: web.Request) -> web.StreamResponse:
    svc = container_backend(request)
    stat, source = await in_thread(request, svc.archive_get, request.match_info["id"],
                                   _path(request))
    resp = web.StreamResponse(headers={"Content-Type": "application/x-tar",
                                       **_stat_header(stat)})
    await resp.prepare(request)
    async for chunk in as_async(request.app[EXECUTOR], source):
        await resp.write(chunk)
    await resp.write_eof()
    return resp


async def _feed(request: web.Request, pipe: BodyPipe) -> None:
    try:
        async for chunk in request.content.iter_any():
            await pipe.feed(chunk)
    except asyncio.CancelledError:
        pipe.abort(errdefs.Unavailable("request cancelled before its body was read"))
        raise
    except Exception as exc:
        pipe.abort(errdefs.InvalidArgument(f"reading request body: {exc}"))
    else:
        pipe.feed_eof()


async def archive_put(request: web.Request) -> web.Response:
    svc = container_backend(request)
    q, cid, path = request.query, request.match_info["id"], _path(request)
    pipe = BodyPipe(asyncio.get_running_loop())
    feeder = asyncio.create_task(_feed(request, pipe))

    def work() -> None:
        with pipe.reader() as body:
            svc.archive_put(cid, path, body,
                            no_overwrite_dir_non_dir=bool_value(q, "noOverwriteDirNonDir"),
                            copy_uid_gid=bool_value(q, "copyUIDGID"))
    try:
        await in_thread(request, work)
    finally:
        feeder.cancel()
        pipe.abort(errdefs.Unavailable("request ended"))
    return web.Response(status=200)


async def commit(request: web.Request) -> web.Response:
    q = request.query
    cid = q.get("container", "")
    raw = await request.read()
    try:
        config = json.loads(raw) if raw.strip() else None
    except ValueError as e:
        raise errdefs.InvalidArgument(f"invalid JSON: {e}") from None
    svc = container_backend(request)
    image_id = await in_thread(
        request, svc.commit, cid, repo=q.get("repo") or None, tag=q.get("tag") or None,
        comment=q.get("comment", ""), author=q.get("author", ""),
        pause=bool_value(q, "pause", True),
        changes=query_list(q, "changes"), config=config)
    return json_response({"Id": image_id}, status=201)


def register(app: web.Application) -> None:
    add_route(app, "HEAD", "/containers/{id}/archive", archive_head)
    add_route(app, "GET", "/containers/{id}/archive", archive_get)
    add_route(app, "PUT", "/containers/{id}/archive", archive_put)
    add_route(app, "POST", "/commit", commit)
