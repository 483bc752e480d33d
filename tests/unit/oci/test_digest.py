import io

import pytest

from berth.errdefs import InvalidArgument, http_status
from berth.oci.digest import Digest, sha256

EMPTY = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_digest_of_empty_bytes_matches_known_value() -> None:
    assert sha256(b"") == EMPTY
    assert Digest.from_stream(io.BytesIO(b"")) == EMPTY
    d = Digest(EMPTY)
    assert (d.algorithm, d.short()) == ("sha256", "e3b0c44298fc")


@pytest.mark.parametrize(
    "bad",
    ["", "sha256", "sha256:", "md5:" + "0" * 32, "sha256:" + "A" * 64, "sha256:" + "0" * 63,
     "sha256:../../etc/passwd"],
)
def test_invalid_digests_are_refused(bad: str) -> None:
    with pytest.raises(InvalidArgument):
        Digest(bad)
    assert not Digest.is_valid(bad)


def test_error_taxonomy_maps_to_http_status() -> None:
    assert http_status(InvalidArgument("x")) == 400
    assert http_status(RuntimeError("x")) == 500
