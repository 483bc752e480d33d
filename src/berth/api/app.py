"""The Engine API application: routes, middleware, shared executor, response headers.

``make_app`` builds an aiohttp app from injected ``Backends``. Each route is mounted
twice, bare and under ``/v{version}``, as moby's router does; the middleware in
``errors`` negotiates the version and maps errors.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
from collections.abc import Callable
from typing import Any, TypeVar

from aiohttp import web

from .backends import Backends
from .errors import STARTED, Handler, api_middleware
from .versioning import common_headers

T = TypeVar("T")
BACKENDS = web.AppKey("backends", Backends)
EXECUTOR = web.AppKey("executor", concurrent.futures.ThreadPoolExecutor)
VERSIONED = "/v{version:[0-9.]+}"


def add_route(app: web.Application, method: str, path: str, handler: Handler) -> None:
    """Mount ``handler`` at ``path`` and at ``/vX.Y`` + ``path``."""
    app.router.add_route(method, path, handler)
    app.router.add_route(method, VERSIONED + path, handler)


async def _on_prepare(request: web.Request, response: web.StreamResponse) -> None:
    """Every response carries Server/Api-Version/Ostype; mark the request as answered."""
    request[STARTED] = True
    response.headers.update(common_headers())


def backends(request: web.Request) -> Backends:
    return request.app[BACKENDS]


async def in_thread(request: web.Request, fn: Callable[..., T], *args: Any, **kw: Any) -> T:
    """Run a blocking backend call on the API's thread pool."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(request.app[EXECUTOR], functools.partial(fn, *args, **kw))


async def _close_executor(app: web.Application) -> None:
    app[EXECUTOR].shutdown(wait=False, cancel_futures=True)


def make_app(b: Backends, *, workers: int = 8,
             client_max_size: int = 1 << 30) -> web.Application:
    """An aiohttp application serving the Engine API over the given backends."""
    from . import hijack
    from .routes import (
        container_archive,
        containers,
        events,
        exec,
        images,
        networks,
        system,
        volumes,
    )

    app = web.Application(middlewares=[api_middleware], client_max_size=client_max_size)
    app[BACKENDS] = b
    app[EXECUTOR] = concurrent.futures.ThreadPoolExecutor(workers, thread_name_prefix="api")
    app.on_response_prepare.append(_on_prepare)
    app.on_cleanup.append(_close_executor)
    hijack.install(app)
    for module in (system, events, images, containers, exec, container_archive, networks,
                   volumes):
        module.register(app)
    return app
