"""``image inspect`` and ``inspect``: raw daemon JSON, reindented, or a template per object.

As in docker's inspect package: no format → a JSON array of the daemon's own bytes
indented by four spaces; ``json`` → the same array compacted; otherwise the template
runs once per object (missing keys are errors).  Failures are collected and reported
after the output, exit 1; a template that does not parse exits 64.

The bodies (``inspect_any``, ``inspect_containers``, ``inspect_images``) take the option
dict click builds, so the fast path (``berth.cli.fast``) runs them without click.
"""

from __future__ import annotations

from berth._util.fastjson import loads
from berth.cli.context import Globals, out
from berth.cli.format.jsonindent import compact, indent_array
from berth.cli.format.template import Template, TemplateError
from berth.cli.usage import CLIError, check_args
from berth.errdefs import NotFound

TYPE_CHECKING = False  # typing and click stay off the fast path's start-up
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    import click

    from berth.client import APIClient

    Getter = Callable[[str], bytes]


def inspect_all(refs: tuple[str, ...], fmt: str, get: Getter) -> None:
    """Fetch every ref, print docker's inspect output, then raise the joined errors."""
    tmpl = None
    if fmt and fmt != "json":
        try:
            tmpl = Template(fmt)
        except TemplateError as exc:
            raise CLIError(f"template parsing error: {exc}", 64) from None
    raws: list[bytes] = []
    rendered: list[str] = []
    errors: list[str] = []
    for ref in refs:
        try:
            raw = get(ref)
        except Exception as exc:
            from berth.cli.errors import describe

            errors.append(describe(exc)[0])
            continue
        if tmpl is None:
            raws.append(raw)
            continue
        try:
            rendered.append(execute_like_go(tmpl, loads(raw)) + "\n")
        except TemplateError as exc:
            errors.append(f"template parsing error: {exc}")
    if tmpl is not None:
        out("".join(rendered) or "\n")
    elif fmt == "json":
        out((compact("[" + ",".join(r.decode() for r in raws) + "]") if raws else "[]") + "\n")
    else:
        out(indent_array(raws) + "\n")
    if errors:
        raise CLIError("\n".join(errors), 1)


def _typed_view(doc: object) -> object:
    """The object as Go's typed struct shows it: ``Id`` is the field ``ID``."""
    if isinstance(doc, dict) and "Id" in doc:
        view = {("ID" if k == "Id" else k): v for k, v in doc.items()}
        if "State" in doc:  # a container: its *int64 size fields exist, nil without -s
            view.setdefault("SizeRw", None)
            view.setdefault("SizeRootFs", None)
        return view
    return doc


def _sorted_json(v: object) -> str:
    from berth.cli.format.govalues import go_json

    return go_json(_sort(v))


def _sort(v: object) -> object:
    if isinstance(v, dict):
        return {k: _sort(v[k]) for k in sorted(v)}
    if isinstance(v, list):
        return [_sort(x) for x in v]
    return v


def execute_like_go(tmpl: Template, doc: object) -> str:
    """docker runs the template on the typed struct, then on the raw JSON map.

    The typed run keeps the daemon's field order; the raw fallback (taken when a name
    is not a Go field, e.g. ``.Id``) sees maps, so ``json`` sorts keys and a missing
    key is an error.
    """
    try:
        return tmpl.execute(_typed_view(doc), missingkey_error=True)
    except TemplateError:
        return tmpl.execute(doc, missingkey_error=True, funcs={"json": _sorted_json})


def inspect_images(g: Globals, path: str, usage: str, o: dict[str, Any],
                   args: tuple[str, ...]) -> None:
    """``image inspect``; ``o``: format, platform."""
    check_args(args, path, usage, min=1)
    inspect_all(args, o["format"], g.client().images.inspect_raw)


def inspect_any(g: Globals, path: str, usage: str, o: dict[str, Any],
                args: tuple[str, ...]) -> None:
    """``inspect``; ``o``: format, type, size."""
    check_args(args, path, usage, min=1)
    kind = o["type"]
    if kind and kind not in ("container", "image", "network", "volume"):
        raise CLIError(f'"{kind}" is not a valid value for --type')
    inspect_all(args, o["format"], _any_object(g.client(), kind, o["size"]))


def inspect_containers(g: Globals, path: str, usage: str, o: dict[str, Any],
                       args: tuple[str, ...]) -> None:
    """``container inspect``; ``o``: format, size."""
    check_args(args, path, usage, min=1)
    ctrs = g.client().containers
    inspect_all(args, o["format"], lambda ref: ctrs.inspect_raw(ref, o["size"]))


def _click_command(name: str, path: str, usage: str, body: Callable[..., None],
                   params: list[click.Parameter]) -> click.Command:
    from berth.cli.commands._common import globals_of, new_command

    def run(ctx: click.Context, args: tuple[str, ...], **o: Any) -> None:
        body(globals_of(ctx), path, usage, o, args)

    return new_command(name, usage, run, params)


def make_image_inspect(name: str, path: str, usage: str) -> click.Command:
    from berth.cli.commands._common import value

    return _click_command(name, path, usage, inspect_images, [
        value(["-f", "--format"], "Format output using a custom template", default=""),
        value(["--platform"], "Inspect a specific platform of the multi-platform image"),
    ])


def _any_object(client: APIClient, kind: str | None, size: bool = False) -> Getter:
    """docker inspect's lookup: each object type in turn until one is found. With
    ``--type`` only that type is asked and its daemon error is shown as is (docker's)."""
    kinds = [kind] if kind else ["container", "image", "network", "volume"]
    paths = {"container": "/containers/{}/json", "image": "/images/{}/json",
             "network": "/networks/{}", "volume": "/volumes/{}"}

    def get(ref: str) -> bytes:
        from berth.client.api import path_name

        for k in kinds:
            try:
                q = {"size": "1"} if size and k == "container" else None
                return client.get_raw(paths[k].format(path_name(ref)), q)
            except NotFound:
                if kind:
                    raise
                continue
        raise CLIError(f"Error: No such object: {ref}")

    return get


def make_inspect(name: str, path: str, usage: str) -> click.Command:
    import click

    from berth.cli.commands._common import value

    return _click_command(name, path, usage, inspect_any, [
        value(["-f", "--format"], "Format output using a custom template", default=""),
        value(["--type"], "Return JSON for specified type"),
        click.Option(["-s", "--size"], is_flag=True,
                     help="Display total file sizes if the type is container"),
    ])


def make_container_inspect(name: str, path: str, usage: str) -> click.Command:
    import click

    from berth.cli.commands._common import value

    return _click_command(name, path, usage, inspect_containers, [
        value(["-f", "--format"], "Format output using a custom template", default=""),
        click.Option(["-s", "--size"], is_flag=True, help="Display total file sizes"),
    ])
