"""Hostile layers: nothing may be written, linked or deleted outside the target.

Symlinks point at ``<tmp>/outside`` (an absolute path on the host), never at /etc, so a
bug cannot damage the machine running the tests. Every case runs with both resolvers
(openat2 and the portable O_NOFOLLOW walk).
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from archive_testlib import d, f, hard, listing, make_tar, sym

from berth.archive import apply_layer
from berth.errdefs import InvalidArgument


@pytest.fixture(params=[True, False], ids=["openat2", "walk"])
def use_openat2(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


@pytest.fixture
def env(tmp_path: Path) -> tuple[Path, Path]:
    root, outside = tmp_path / "root", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (outside / "secret").write_bytes(b"host data")
    return root, outside


def run(tar: bytes, root: Path, use_openat2: bool, mode: str = "remove") -> None:
    apply_layer(io.BytesIO(tar), root, whiteouts=mode, chown=False,  # type: ignore[arg-type]
                use_openat2=use_openat2)


def intact(tmp_path: Path, outside: Path, before: set[str]) -> None:
    assert listing(tmp_path, tmp_path / "root") == before
    assert (outside / "secret").read_bytes() == b"host data"
    assert (outside / "secret").stat().st_nlink == 1


@pytest.mark.parametrize("name", ["../evil", "a/../../evil", "./../evil", "a/b/../../../evil"])
def test_dotdot_refused(tmp_path: Path, env: tuple[Path, Path], use_openat2: bool,
                        name: str) -> None:
    root, outside = env
    before = listing(tmp_path, root)
    with pytest.raises(InvalidArgument, match="climbs out"):
        run(make_tar([f(name, b"x")]), root, use_openat2)
    intact(tmp_path, outside, before)


def test_dotdot_inside_is_fine(env: tuple[Path, Path], use_openat2: bool) -> None:
    root, _ = env
    run(make_tar([f("a/b/../c", b"x")]), root, use_openat2)
    assert (root / "a/c").read_bytes() == b"x"


def test_absolute_path_is_contained(tmp_path: Path, env: tuple[Path, Path],
                                    use_openat2: bool) -> None:
    root, outside = env
    before = listing(tmp_path, root)
    run(make_tar([f(str(outside / "secret"), b"pwned"), f("/abs", b"a")]), root, use_openat2)
    assert (root / str(outside / "secret").lstrip("/")).read_bytes() == b"pwned"
    assert (root / "abs").read_bytes() == b"a"
    intact(tmp_path, outside, before)


@pytest.mark.parametrize("target_kind", ["absolute", "relative"])
def test_write_through_symlink_is_contained(tmp_path: Path, env: tuple[Path, Path],
                                            use_openat2: bool, target_kind: str) -> None:
    root, outside = env
    target = str(outside) if target_kind == "absolute" else "../" * 12 + str(outside)[1:]
    inside = root / str(outside).lstrip("/")
    before = listing(tmp_path, root)
    with pytest.raises(InvalidArgument, match="symlink to a missing directory"):
        run(make_tar([sym("link", target), f("link/secret", b"pwned")]), root, use_openat2)
    intact(tmp_path, outside, before)
    # once the in-root target exists, writes through the link land there, contained
    run(make_tar([d(str(inside.relative_to(root))), sym("link", target),
                  f("link/secret", b"pwned"), f("link/new/deeper", b"pwned")]), root,
        use_openat2)
    assert (inside / "secret").read_bytes() == b"pwned"
    assert (inside / "new/deeper").read_bytes() == b"pwned"
    intact(tmp_path, outside, before)


def test_symlinked_parent_from_earlier_layer(tmp_path: Path, env: tuple[Path, Path],
                                             use_openat2: bool) -> None:
    root, outside = env
    os.symlink(outside, root / "etc")  # a lower layer left this behind
    (root / str(outside).lstrip("/")).mkdir(parents=True)
    before = listing(tmp_path, root)
    run(make_tar([f("etc/secret", b"pwned"), d("etc/sub/"), f("etc/sub/x", b"p")]), root,
        use_openat2)
    assert (root / str(outside).lstrip("/") / "secret").read_bytes() == b"pwned"
    intact(tmp_path, outside, before)


def test_entry_replaces_symlink_instead_of_following(tmp_path: Path, env: tuple[Path, Path],
                                                     use_openat2: bool) -> None:
    root, outside = env
    before = listing(tmp_path, root)
    run(make_tar([sym("s", str(outside / "secret")), f("s", b"pwned"),
                  sym("dd", str(outside)), d("dd", mode=0o777)]), root, use_openat2)
    assert (root / "s").read_bytes() == b"pwned" and not (root / "s").is_symlink()
    assert (root / "dd").is_dir() and not (root / "dd").is_symlink()
    assert oct(outside.stat().st_mode & 0o777) != oct(0o777)
    intact(tmp_path, outside, before)


@pytest.mark.parametrize("linkname", ["../outside/secret", "../../secret"])
def test_hardlink_climbing_out_refused(tmp_path: Path, env: tuple[Path, Path],
                                       use_openat2: bool, linkname: str) -> None:
    root, outside = env
    before = listing(tmp_path, root)
    with pytest.raises(InvalidArgument, match="climbs out"):
        run(make_tar([hard("x", linkname)]), root, use_openat2)
    intact(tmp_path, outside, before)


def test_hardlink_absolute_or_through_symlink_stays_inside(
        tmp_path: Path, env: tuple[Path, Path], use_openat2: bool) -> None:
    root, outside = env
    before = listing(tmp_path, root)
    for tar in (make_tar([hard("x", str(outside / "secret"))]),
                make_tar([sym("l", str(outside)), hard("y", "l/secret")]),
                make_tar([hard("z", "absent")])):
        with pytest.raises(InvalidArgument, match="not in the layer"):
            run(tar, root, use_openat2)
    intact(tmp_path, outside, before)


def test_hardlink_to_symlink_links_the_symlink(tmp_path: Path, env: tuple[Path, Path],
                                               use_openat2: bool) -> None:
    root, outside = env
    before = listing(tmp_path, root)
    run(make_tar([sym("s", str(outside / "secret")), hard("h", "s")]), root, use_openat2)
    assert os.readlink(root / "h") == str(outside / "secret")
    intact(tmp_path, outside, before)


def test_hardlink_to_directory_refused(env: tuple[Path, Path], use_openat2: bool) -> None:
    root, _ = env
    with pytest.raises(InvalidArgument, match="directory"):
        run(make_tar([d("dir"), hard("h", "dir")]), root, use_openat2)


@pytest.mark.parametrize("name", ["../.wh.secret", "../outside/.wh.secret", ".wh..",
                                  "a/.wh..", ".wh."])
def test_whiteout_climbing_out_refused(tmp_path: Path, env: tuple[Path, Path],
                                       use_openat2: bool, name: str) -> None:
    root, outside = env
    before = listing(tmp_path, root)
    with pytest.raises(InvalidArgument):
        run(make_tar([f(name)]), root, use_openat2)
    intact(tmp_path, outside, before)


def test_whiteouts_through_symlink_stay_inside(tmp_path: Path, env: tuple[Path, Path],
                                               use_openat2: bool) -> None:
    root, outside = env
    os.symlink(outside, root / "l")
    before = listing(tmp_path, root)
    run(make_tar([f("l/.wh.secret"), f("l/.wh..wh..opq")]), root, use_openat2)
    intact(tmp_path, outside, before)


def test_symlink_loop_is_an_error(env: tuple[Path, Path], use_openat2: bool) -> None:
    root, _ = env
    with pytest.raises(InvalidArgument, match="parent directory"):
        run(make_tar([sym("a", "b"), sym("b", "a"), f("a/x", b"1")]), root, use_openat2)


def test_parent_is_a_file(env: tuple[Path, Path], use_openat2: bool) -> None:
    root, _ = env
    with pytest.raises(InvalidArgument, match="parent directory 'file'"):
        run(make_tar([f("file", b"1"), f("file/x", b"2")]), root, use_openat2)


def test_root_entry_must_be_a_directory(env: tuple[Path, Path], use_openat2: bool) -> None:
    root, _ = env
    with pytest.raises(InvalidArgument, match="root must be a directory"):
        run(make_tar([sym("./", "/")]), root, use_openat2)
