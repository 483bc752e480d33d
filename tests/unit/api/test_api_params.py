from __future__ import annotations

import pytest
from multidict import MultiDict

from berth import errdefs
from berth.api.params import bool_value, int_value, parse_filters, query_list, validate_filters


@pytest.mark.parametrize("raw", ["", "0", "no", "false", "none", "FALSE", "No", " none "])
def test_false_values(raw: str) -> None:
    assert bool_value({"x": raw}, "x", default=True) is False


@pytest.mark.parametrize("raw", ["1", "true", "True", "yes", "on", "anything"])
def test_true_values(raw: str) -> None:
    assert bool_value({"x": raw}, "x") is True


def test_absent_uses_default() -> None:
    assert bool_value({}, "x") is False
    assert bool_value({}, "x", default=True) is True


def test_int_value() -> None:
    assert int_value({"t": "5"}, "t", 0) == 5
    assert int_value({}, "t", 7) == 7
    with pytest.raises(errdefs.InvalidArgument, match="t"):
        int_value({"t": "x"}, "t", 0)


def test_filters_map_and_legacy_forms() -> None:
    assert parse_filters('{"label":{"a=b":true,"c":true},"dangling":{"true":true}}') == {
        "label": ["a=b", "c"], "dangling": ["true"]}
    assert parse_filters('{"label":["a=b"]}') == {"label": ["a=b"]}
    assert parse_filters("") == {}
    assert parse_filters(None) == {}
    assert parse_filters("{}") == {}


@pytest.mark.parametrize("raw", ["{", "[1]", '"x"', '{"a":"b"}', '{"a":{"b":"yes"}}',
                                 '{"a":[1]}'])
def test_malformed_filters(raw: str) -> None:
    with pytest.raises(errdefs.InvalidArgument, match="invalid filter"):
        parse_filters(raw)


def test_validate_filters() -> None:
    validate_filters({"label": ["x"]}, ["label", "until"])
    with pytest.raises(errdefs.InvalidArgument, match="invalid filter 'foo'"):
        validate_filters({"foo": []}, ["label"])


def test_query_list() -> None:
    q = MultiDict([("names", "a"), ("names", "b/c:d"), ("names", "")])
    assert query_list(q, "names") == ["a", "b/c:d"]
