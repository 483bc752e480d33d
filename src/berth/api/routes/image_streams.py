"""Image routes with streamed bodies: load, save, import and pull.

Request bodies go to the blocking image service through a ``BodyPipe``; tarballs come
back through an ``OutputPipe`` and are streamed out as they are produced. Nothing is
spooled to disk here and memory stays bounded by the pipes' limits.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, BinaryIO, TypeVar

from aiohttp import web

from berth import errdefs

from ..app import EXECUTOR, add_route, backends
from ..bridge import BodyPipe, OutputPipe
from ..params import bool_value, query_list
from ..streams import JSONStream, Progress, run_with_progress

T = TypeVar("T")


async def _feed(request: web.Request, pipe: BodyPipe) -> None:
    """Copy the request body into ``pipe``; a broken body makes the reader fail."""
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


async def _with_body(request: web.Request, fn: Callable[[BinaryIO, Progress], T],
                     send: Callable[[dict[str, Any]], Any]) -> T:
    """Run ``fn(body_file, progress)`` in the pool while the body streams in."""
    pipe = BodyPipe(asyncio.get_running_loop())
    feeder = asyncio.create_task(_feed(request, pipe))

    def work(progress: Progress) -> T:
        with pipe.reader() as body:
            return fn(body, progress)

    try:
        return await run_with_progress(request.app[EXECUTOR], work, send)
    finally:
        feeder.cancel()
        pipe.abort(errdefs.Unavailable("request ended"))


def _quiet(progress: Progress) -> Progress:
    """``quiet=1`` keeps the ``stream`` lines (``Loaded image: …``), drops progress bars."""

    def send(msg: dict[str, Any]) -> None:
        if "stream" in msg:
            progress(msg)

    return send


async def load_images(request: web.Request) -> web.StreamResponse:
    """The service reports ``Loaded image: …`` lines itself, through ``progress``."""
    quiet = bool_value(request.query, "quiet")
    images = backends(request).images
    stream = JSONStream(request)

    def load(body: BinaryIO, progress: Progress) -> list[str]:
        return images.load_images(body, progress=_quiet(progress) if quiet else progress)

    try:
        await _with_body(request, load, stream.send)
    except Exception as exc:
        return await stream.fail(exc)
    return await stream.finish()


async def _save(request: web.Request, names: list[str]) -> web.StreamResponse:
    """Stream ``save_images`` output; errors before the first byte are normal errors."""
    if not names:
        raise errdefs.InvalidArgument("no image names given: use names=<image>")
    loop = asyncio.get_running_loop()
    pipe = OutputPipe(loop)
    images = backends(request).images

    def work() -> None:
        out = pipe.writer()
        try:
            images.save_images(names, out)  # type: ignore[arg-type]
            out.flush()
        except BaseException as exc:
            out.discard()
            pipe.finish(exc)
        else:
            pipe.finish()

    loop.run_in_executor(request.app[EXECUTOR], work)
    try:
        chunk = await pipe.get()
        resp = web.StreamResponse(headers={"Content-Type": "application/x-tar"})
        await resp.prepare(request)
        while chunk is not None:
            await resp.write(chunk)
            chunk = await pipe.get()
        await resp.write_eof()
        return resp
    finally:
        pipe.abort()


async def save_images(request: web.Request) -> web.StreamResponse:
    return await _save(request, query_list(request.query, "names"))


async def save_image(request: web.Request) -> web.StreamResponse:
    return await _save(request, [request.match_info["name"]])


async def create_image(request: web.Request) -> web.StreamResponse:
    """``fromSrc=-`` imports the body; ``fromImage`` pulls through the registry backend."""
    q = request.query
    if q.get("fromImage"):
        return await _pull(request)
    src = q.get("fromSrc", "")
    if src == "":
        raise errdefs.InvalidArgument("either fromImage or fromSrc must be given")
    if src != "-":
        raise errdefs.NotImplementedYet(
            f"importing from a URL ({src}) is not supported yet: send the tarball in the "
            "request body with fromSrc=-")
    return await _import(request)


async def _import(request: web.Request) -> web.StreamResponse:
    q = request.query
    images = backends(request).images
    stream = JSONStream(request)

    def imp(body: BinaryIO, _progress: Progress) -> str:
        return images.import_image(body, repo=q.get("repo", ""), tag=q.get("tag", ""),
                                   changes=q.getall("changes", []),
                                   message=q.get("message", ""),
                                   platform=q.get("platform") or None)

    try:
        image_id = await _with_body(request, imp, stream.send)
        await stream.send({"status": image_id})
    except Exception as exc:
        return await stream.fail(exc)
    return await stream.finish()


def _pull_ref(image: str, tag: str) -> str:
    if not tag:
        return image
    return f"{image}@{tag}" if ":" in tag and "@" not in image else f"{image}:{tag}"


async def _pull(request: web.Request) -> web.StreamResponse:
    q = request.query
    ref = _pull_ref(q["fromImage"], q.get("tag", ""))
    registry = backends(request).registry
    if registry is None:
        raise errdefs.NotImplementedYet(
            f"cannot pull {ref}: berth has no registry client yet; "
            "load or import images instead (docker load, docker import)")
    stream = JSONStream(request)

    def pull(progress: Progress) -> str:
        return registry.pull_image(ref, platform=q.get("platform") or None,
                                   auth=request.headers.get("X-Registry-Auth"),
                                   progress=progress)

    try:
        await run_with_progress(request.app[EXECUTOR], pull, stream.send)
    except Exception as exc:
        return await stream.fail(exc)
    return await stream.finish()


def register(app: web.Application) -> None:
    add_route(app, "POST", "/images/load", load_images)
    add_route(app, "GET", "/images/get", save_images)
    add_route(app, "POST", "/images/create", create_image)
    add_route(app, "GET", "/images/{name:.*}/get", save_image)
