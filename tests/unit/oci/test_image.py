from __future__ import annotations

import hashlib
import json

import pytest

from berth.errdefs import InvalidArgument
from berth.oci import mediatypes as mt
from berth.oci.image import (
    ImageConfig,
    chain_id,
    chain_ids,
    encode,
    parse_config,
    parse_index,
    parse_manifest,
    sniff_media_type,
)

A, B, C = ("sha256:" + c * 64 for c in "abc")


def test_chain_id_follows_the_image_spec() -> None:
    ab = "sha256:" + hashlib.sha256(f"{A} {B}".encode()).hexdigest()
    abc = "sha256:" + hashlib.sha256(f"{ab} {C}".encode()).hexdigest()
    assert chain_ids([A, B, C]) == [A, ab, abc]
    assert chain_id([A]) == A
    assert chain_id([]) == ""
    with pytest.raises(InvalidArgument):
        chain_id(["nope"])


CONFIG = {
    "architecture": "amd64", "os": "linux", "created": "2024-01-02T03:04:05.123456789Z",
    "author": "me", "future_field": {"x": 1}, "os.version": "10.0",
    "config": {"User": "1000", "Env": ["PATH=/bin"], "Cmd": ["sh"], "ExposedPorts":
               {"80/tcp": {}}, "Labels": {"a": "b"}, "StopSignal": "SIGINT",
               "Healthcheck": {"Test": ["CMD", "true"], "Interval": 1000000000},
               "Unknown": True},
    "rootfs": {"type": "layers", "diff_ids": [A, B]},
    "history": [{"created_by": "ADD x", "created": "2024-01-02T03:04:05Z"},
                {"created_by": "ENV", "empty_layer": True}],
}


def test_config_decodes_tolerantly_and_reencodes_canonically() -> None:
    cfg = parse_config(json.dumps(CONFIG).encode())
    assert cfg.config is not None and cfg.config.Cmd == ["sh"]
    assert cfg.config.Healthcheck is not None and cfg.config.Healthcheck.Interval == 10**9
    assert cfg.os_version == "10.0"
    assert cfg.rootfs.diff_ids == [A, B]
    assert [h.created_by for h in cfg.layer_history()] == ["ADD x"]
    out = encode(cfg)
    assert encode(parse_config(out)) == out
    assert b"future_field" not in out and b'"os.version":"10.0"' in out


@pytest.mark.parametrize("bad", [b"{", b"[]", b'{"rootfs": {"diff_ids": ["x"]}}',
                                 b'{"config": {"Env": "notalist"}}'])
def test_bad_config_is_invalid_argument(bad: bytes) -> None:
    with pytest.raises(InvalidArgument, match="invalid image config"):
        parse_config(bad)


def test_manifest_and_index() -> None:
    m = {"schemaVersion": 2, "mediaType": mt.OCI_MANIFEST,
         "config": {"mediaType": mt.OCI_CONFIG, "digest": A, "size": 10},
         "layers": [{"mediaType": mt.OCI_LAYER_GZIP, "digest": B, "size": 5}]}
    data = json.dumps(m).encode()
    assert parse_manifest(data).layers[0].digest == B
    assert sniff_media_type(data) == mt.OCI_MANIFEST
    del m["mediaType"]
    assert sniff_media_type(json.dumps(m).encode()) == mt.OCI_MANIFEST
    ix = {"schemaVersion": 2, "manifests": [{"mediaType": mt.OCI_MANIFEST, "digest": C,
                                             "size": 3, "platform": {"os": "linux",
                                                                     "architecture": "arm64"}}]}
    assert sniff_media_type(json.dumps(ix).encode()) == mt.OCI_INDEX
    assert parse_index(json.dumps(ix).encode()).manifests[0].platform.architecture == "arm64"  # type: ignore[union-attr]
    with pytest.raises(InvalidArgument, match="schemaVersion"):
        parse_manifest(json.dumps({**m, "schemaVersion": 1}).encode())
    with pytest.raises(InvalidArgument):
        parse_manifest(json.dumps({**m, "config": {"mediaType": "x", "digest": "sha256:1",
                                                   "size": 1}}).encode())
    with pytest.raises(InvalidArgument, match="negative size"):
        parse_manifest(json.dumps({**m, "config": {"mediaType": "x", "digest": A,
                                                   "size": -1}}).encode())


def test_empty_config_encodes_small() -> None:
    assert encode(ImageConfig()) == b'{"rootfs":{"type":"layers","diff_ids":[]}}'
