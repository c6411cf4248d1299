"""The serializer returns only what DynamoDB accepts, or raises ``SerializationError`` with a path.

Whatever Python value goes in (nested dicts with any keys, lists, tuples, sets, bytes, strings
with lone surrogates, ints of any size, Decimals, floats, None, bools, other objects), a value
that comes out passes :class:`InMemorySink`'s checks (DynamoDB's rules) and decodes back to what
went in.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from dashboard_projection import (
    InMemorySink,
    Put,
    SerializationError,
    deserialize_value,
    serialize_item,
    serialize_value,
)
from hypothesis_profile import PROPERTY
from test_codec import canonical

#: Strings as Python holds them: lone surrogates included (json.loads makes them from "\udcff").
ANY_TEXT = st.text(st.characters(codec=None, categories=None), max_size=6) | st.sampled_from(
    ["", "\udcff", "a\ud800b", "é", "𝄞"]
)
ANY_NUMBER = st.one_of(
    st.integers(),
    st.integers(-(10**130), 10**130),
    st.builds(lambda n, zeros: n * 10**zeros, st.integers(-(10**40), 10**40), st.integers(0, 90)),
    st.decimals(),  # NaN, sNaN, Infinity and any exponent included
    st.floats(),
)
OTHER_OBJECTS = st.one_of(
    st.builds(object),
    st.complex_numbers(max_magnitude=10),
    st.dates(),
    st.just(Ellipsis),
    st.just(dt.UTC),
)
#: A signalling NaN cannot be hashed, so no set or dict key holds one.
HASHABLE_NUMBER = ANY_NUMBER.filter(lambda n: not (isinstance(n, Decimal) and n.is_snan()))
HASHABLE = st.one_of(st.none(), st.booleans(), ANY_TEXT, HASHABLE_NUMBER, st.binary(max_size=6))
ANY_KEY = HASHABLE | st.tuples(ANY_TEXT) | st.frozensets(ANY_TEXT, max_size=2)
SCALARS = st.one_of(
    HASHABLE,
    st.builds(bytearray, st.binary(max_size=4)),
    st.sets(HASHABLE, max_size=4),
    st.frozensets(ANY_TEXT, max_size=3),
    ANY_NUMBER,
    st.frozensets(HASHABLE_NUMBER, max_size=3),
    st.frozensets(st.binary(max_size=4), max_size=3),
    OTHER_OBJECTS,
)
ANY_VALUE = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.tuples(inner, inner),
        st.dictionaries(ANY_KEY, inner, max_size=3),
        st.dictionaries(st.text(min_size=1, max_size=4), inner, max_size=3),
    ),
    max_leaves=10,
)


def accepted_by_the_sinks(value: Any) -> bool:
    """Whether an item holding ``value`` passes the checks both sinks make before sending."""
    result = InMemorySink(("k",)).write([Put({"k": {"S": "key"}, "v": value})])
    return result.ok


def plain(value: Any) -> Any:
    """What DynamoDB gives back for ``value``: tuples as lists, bytearrays as bytes."""
    if isinstance(value, dict):
        return {str(name): plain(member) for name, member in value.items()}
    if isinstance(value, list | tuple):
        return [plain(element) for element in value]
    if isinstance(value, bytearray):
        return bytes(value)
    if isinstance(value, set | frozenset):
        return frozenset(plain(member) for member in value)
    return value


@PROPERTY
@given(ANY_VALUE)
def test_every_returned_value_is_accepted_and_round_trips(value: Any) -> None:
    try:
        encoded = serialize_value(value)
    except SerializationError:
        event("refused")
        return
    event("returned")
    assert accepted_by_the_sinks(encoded), encoded
    assert canonical(deserialize_value(encoded)) == canonical(plain(value))


@PROPERTY
@given(st.dictionaries(ANY_KEY, ANY_VALUE, max_size=4))
def test_every_returned_item_is_accepted(item: dict[Any, Any]) -> None:
    try:
        encoded = serialize_item(item)
    except SerializationError:
        return
    result = InMemorySink(("k",)).write([Put({**encoded, "k": {"S": "key"}})])
    assert result.ok, result.failed


@pytest.mark.parametrize(
    ("value", "path", "message"),
    [
        ({1: "a"}, "M.1", "must be strings, got int 1"),
        ({None: "x"}, "M.None", "must be strings, got NoneType"),
        ({"a": {2.5: "x"}}, "M.a.M.2.5", "must be strings, got float"),
        ({"": 1}, "M.''", "empty attribute name"),
        ("\udcff", "", "lone surrogate"),
        ({"\udcff": "x"}, "M.\udcff", "lone surrogate"),
        ({"a": {"\udcff"}}, "M.a", "lone surrogate"),
        ({"a": ["ok", "\ud800"]}, "M.a.L[1]", "lone surrogate"),
        ([[0.5]], "L[0].L[0]", "float 0.5"),
        ({Decimal("NaN"), Decimal(1)}, "", "finite"),
        (10**38 + 1, "", "39 significant digits"),
    ],
    ids=repr,
)
def test_what_dynamodb_refuses_is_a_serialization_error_naming_the_path(
    value: object, path: str, message: str
) -> None:
    with pytest.raises(SerializationError, match=message) as caught:
        serialize_value(value)
    assert caught.value.path == path


def test_an_item_error_starts_at_the_attribute_name() -> None:
    with pytest.raises(SerializationError) as caught:
        serialize_item({"metadata": {"ranks": [1, {3: "x"}]}})
    assert caught.value.path == "metadata.M.ranks.L[1].M.3"


def test_nesting_beyond_dynamodbs_32_levels_is_refused() -> None:
    value: Any = "leaf"
    for _ in range(32):
        value = [value]
    assert deserialize_value(serialize_value(value)) == value
    with pytest.raises(SerializationError, match="32 levels"):
        serialize_value([value])
    itself: list[Any] = []
    itself.append(itself)
    with pytest.raises(SerializationError, match="32 levels"):
        serialize_value(itself)


def test_the_sinks_refuse_empty_attribute_names_too() -> None:
    assert not accepted_by_the_sinks({"M": {"": {"S": "x"}}})
    assert accepted_by_the_sinks({"M": {"x": {"S": ""}}})
