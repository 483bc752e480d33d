"""``inspect --size`` and ``ps -s``: the writable layer's size and the virtual size."""

from __future__ import annotations

import json
import os
import shutil
from typing import Any

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.root,
              pytest.mark.skipif(os.geteuid() != 0, reason="containers need root"),
              pytest.mark.skipif(shutil.which("docker") is None, reason="no docker CLI"),
              pytest.mark.usefixtures("clean_containers")]  # `d`: tests/e2e/conftest.py


def test_inspect_and_ps_size(d: Any) -> None:
    d.docker("run", "--name", "sized", "busybox", "sh", "-c",
             "head -c 10000 /dev/zero > /f; mkdir /d; ln /f /d/g; rm /bin/true")
    info = json.loads(d.docker("inspect", "--size", "sized").stdout)[0]
    image_size = json.loads(d.docker("image", "inspect", "busybox").stdout)[0]["Size"]
    assert info["SizeRw"] == 10000  # hard link once; the whiteout and dirs count nothing
    assert info["SizeRootFs"] == 10000 + image_size
    plain = json.loads(d.docker("inspect", "sized").stdout)[0]
    assert "SizeRw" not in plain and "SizeRootFs" not in plain
    size_col = d.docker("ps", "-a", "-s", "--format", "{{.Size}}").stdout.strip()
    assert size_col.startswith("10kB (virtual ")
    api = d.client().api.containers(all=True, size=True)
    assert api[0]["SizeRw"] == 10000
