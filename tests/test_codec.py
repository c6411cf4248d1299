"""The DynamoDB JSON codec: each type, each malformed case with its path, agreement with boto3."""

from __future__ import annotations

import decimal
import enum
from decimal import Decimal
from typing import Any

import pytest
from boto3.dynamodb.types import TypeDeserializer
from hypothesis import event, given
from hypothesis import strategies as st

from dashboard_projection import (
    DashboardProjectionError,
    DeserializationError,
    InvalidInputError,
    ItemValidationError,
    SerializationError,
    deserialize_image,
    deserialize_value,
    serialize_item,
    serialize_value,
)
from dashboard_projection._engine._codec import KINDS, deserialize_known
from dashboard_projection.testing import attribute_values
from hypothesis_profile import PROPERTY


def canonical(value: Any) -> Any:  # noqa: PLR0911 - one return per type
    """A decoded value with its types spelled out, so that ``True`` never equals ``Decimal(1)``."""
    if value is None:
        return ("NULL", None)
    if isinstance(value, bool):
        return ("BOOL", value)
    if isinstance(value, int | Decimal):
        return ("N", Decimal(value).as_tuple())  # the exact digits, not just the value
    if isinstance(value, str | bytes):
        return (type(value).__name__, value)
    if isinstance(value, set | frozenset):
        return ("set", frozenset(map(canonical, value)))
    if isinstance(value, list | tuple):
        return ("list", [canonical(element) for element in value])
    if isinstance(value, dict):
        return ("map", {name: canonical(member) for name, member in value.items()})
    raise AssertionError(f"unexpected decoded type {type(value).__name__}")


# --- decoding, type by type -------------------------------------------------------------------

LARGEST = "9.9999999999999999999999999999999999999E+125"


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        ({"S": "neutral"}, "neutral"),
        ({"S": ""}, ""),
        ({"N": "0.72"}, Decimal("0.72")),
        ({"N": "-1e5"}, Decimal("-1E+5")),
        ({"N": "007"}, Decimal(7)),
        ({"N": LARGEST}, Decimal(LARGEST)),
        ({"N": "1E-130"}, Decimal("1E-130")),
        ({"B": "3q2+7w=="}, b"\xde\xad\xbe\xef"),
        ({"B": b"\x00\x01"}, b"\x00\x01"),
        ({"BOOL": False}, False),
        ({"NULL": True}, None),
        ({"M": {"a": {"S": "x"}, "b": {"N": "1"}}}, {"a": "x", "b": Decimal(1)}),
        ({"M": {}}, {}),
        ({"L": [{"S": "x"}, {"L": []}]}, ["x", []]),
        ({"SS": ["AI", "europe"]}, frozenset({"AI", "europe"})),
        ({"NS": ["1", "2.5"]}, frozenset({Decimal(1), Decimal("2.5")})),
        ({"BS": ["AA==", "AQ=="]}, frozenset({b"\x00", b"\x01"})),
    ],
)
def test_decodes_each_type(wire: dict[str, Any], expected: object) -> None:
    assert canonical(deserialize_value(wire)) == canonical(expected)


def test_decodes_the_seed_image_to_plain_python() -> None:
    image: dict[str, Any] = {
        "score": {"N": "0.72"},
        "matched_tags": {"SS": ["AI", "regulation"]},
        "metadata": {"M": {"author": {"S": "Jane Smith"}}},
    }
    assert deserialize_image(image) == {
        "score": Decimal("0.72"),
        "matched_tags": frozenset({"AI", "regulation"}),
        "metadata": {"author": "Jane Smith"},
    }


# --- malformed input: the error names the attribute path ---------------------------------------

MALFORMED = {
    "unknown type tag": {"X": "1"},
    "lower-case type tag": {"s": "1"},
    "two type tags": {"S": "a", "N": "1"},
    "no type tag": {},
    "not an object": "Jane Smith",
    "S payload a number": {"S": 1},
    "N payload a number": {"N": 1},
    "BOOL payload a string": {"BOOL": "true"},
    "NULL payload false": {"NULL": False},
    "M payload a list": {"M": []},
    "L payload an object": {"L": {}},
    "SS payload a string": {"SS": "a"},
    "SS member a number": {"SS": ["a", 1]},
    "B payload a number": {"B": 1},
    "non-numeric N": {"N": "abc"},
    "empty N": {"N": ""},
    "N with spaces": {"N": " 1"},
    "NaN": {"N": "NaN"},
    "Infinity": {"N": "Infinity"},
    "-Infinity": {"N": "-Infinity"},
    "39 significant digits": {"N": "1" * 39},
    "39 significant digits among zeros": {"N": "000" + "1" * 39 + "0" * 10},
    "exponent too large": {"N": "1E+126"},
    "exponent too small": {"N": "1E-131"},
    "huge exponent": {"N": "1E999999999999999999999"},
    "base64 without padding": {"B": "YQ"},
    "base64 with bad characters": {"B": "!!!!"},
    "base64 with non-ASCII text": {"B": "é==="},
    "empty SS": {"SS": []},
    "empty NS": {"NS": []},
    "empty BS": {"BS": []},
    "duplicate SS members": {"SS": ["a", "a"]},
    "NS members equal as numbers": {"NS": ["1", "1.0"]},
    "duplicate BS members": {"BS": ["YQ==", "YQ=="]},
    "bad NS member": {"NS": ["1", "NaN"]},
    "bad BS member": {"BS": ["YQ==", "é"]},
}


@pytest.mark.parametrize("value", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_value_names_its_path(value: object) -> None:
    image: dict[str, Any] = {"metadata": {"M": {"title": {"S": "t"}, "author": value}}}
    with pytest.raises(DeserializationError) as caught:
        deserialize_image(image)
    assert caught.value.path.startswith("NewImage.metadata.M.author")
    assert str(caught.value).startswith(caught.value.path + ": ")


@pytest.mark.parametrize("value", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_value_alone_names_the_given_path(value: Any) -> None:
    with pytest.raises(DeserializationError) as caught:
        deserialize_value(value, path="OldImage.x")
    assert caught.value.path.startswith("OldImage.x")


@pytest.mark.parametrize(
    ("image", "path"),
    [
        ({"tags": {"L": [{"S": "a"}, {"N": "x"}]}}, "NewImage.tags.L[1]"),
        ({"a": {"M": {"b": {"L": [{"M": {"c": {"BOOL": 1}}}]}}}}, "NewImage.a.M.b.L[0].M.c"),
        ({"scores": {"NS": ["1", "2", "NaN"]}}, "NewImage.scores.NS[2]"),
        ({"blobs": {"L": [{"B": "é"}]}}, "NewImage.blobs.L[0]"),
    ],
)
def test_nested_errors_give_the_full_path(image: dict[str, Any], path: str) -> None:
    with pytest.raises(DeserializationError) as caught:
        deserialize_image(image)
    assert caught.value.path == path


def test_the_reason_says_what_was_wrong() -> None:
    with pytest.raises(DeserializationError, match=r"^NewImage\.x: expected exactly one type tag"):
        deserialize_image({"x": {"S": "a", "N": "1"}})
    with pytest.raises(DeserializationError, match="unknown type tag 'X'"):
        deserialize_image({"x": {"X": "1"}})
    with pytest.raises(DeserializationError, match="has 39 significant digits; DynamoDB stores"):
        deserialize_image({"x": {"N": "1" * 39}})


def test_an_image_must_be_an_object() -> None:
    with pytest.raises(DeserializationError, match=r"^NewImage: expected an object"):
        deserialize_image([])  # type: ignore[arg-type]


def test_deserialization_errors_are_the_packages_and_not_retryable() -> None:
    with pytest.raises(DeserializationError) as caught:
        deserialize_value({"N": "NaN"})
    assert isinstance(caught.value, InvalidInputError)
    assert isinstance(caught.value, DashboardProjectionError)
    assert not caught.value.retryable


# --- properties: boto3 agreement and round trips ----------------------------------------------


def boto3_value(value: Any) -> Any:
    """boto3's decoding, with its sets made frozen like ours."""
    decoded = TypeDeserializer().deserialize(value)
    return freeze_sets(decoded)


def freeze_sets(value: Any) -> Any:
    if isinstance(value, set):
        return frozenset(value)
    if isinstance(value, list):
        return [freeze_sets(element) for element in value]
    if isinstance(value, dict):
        return {name: freeze_sets(member) for name, member in value.items()}
    return value


@PROPERTY
@given(attribute_values(binary=False))
def test_agrees_with_boto3_on_every_value_boto3_reads(value: dict[str, Any]) -> None:
    ours = deserialize_value(value)
    try:
        theirs = boto3_value(value)
    except decimal.DecimalException:
        # boto3's context counts trailing zeros as digits: "1" and 38 zeros is too much for it.
        event("boto3 refuses a number DynamoDB stores")
        return
    assert canonical(ours) == canonical(theirs)


@PROPERTY
@given(attribute_values())
def test_serializing_a_decoded_value_decodes_to_it_again(value: dict[str, Any]) -> None:
    decoded = deserialize_value(value)
    assert canonical(deserialize_value(serialize_value(decoded))) == canonical(decoded)


def numbers() -> st.SearchStrategy[int | Decimal]:
    """Python numbers DynamoDB holds: ints below 10**38, Decimals of 38 digits within range."""
    coefficients = st.integers(-(10**38) + 1, 10**38 - 1)
    decimals = st.builds(lambda n, e: Decimal(f"{n}E{e}"), coefficients, st.integers(-130, 88))
    return coefficients | decimals


def python_values() -> st.SearchStrategy[Any]:
    scalars = st.one_of(
        [st.text(), numbers(), st.booleans(), st.none(), st.binary()]
        + [st.frozensets(members, min_size=1) for members in (st.text(), numbers(), st.binary())]
    )
    return st.recursive(
        scalars,
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(st.text(min_size=1), inner, max_size=4)
        ),
        max_leaves=10,
    )


@PROPERTY
@given(python_values())
def test_python_values_round_trip(value: Any) -> None:
    assert canonical(deserialize_value(serialize_value(value))) == canonical(value)


def test_serialized_values_are_canonical() -> None:
    assert serialize_value({"b", "a"}) == {"SS": ["a", "b"]}
    assert serialize_value(frozenset({Decimal("2.5"), 1})) == {"NS": ["1", "2.5"]}
    assert serialize_value(b"\x00") == {"B": b"\x00"}
    assert serialize_value(None) == {"NULL": True}
    assert serialize_value(("x", 1)) == {"L": [{"S": "x"}, {"N": "1"}]}


# --- the serializer refuses what DynamoDB cannot hold -----------------------------------------


UNSERIALIZABLE = {
    "float": 0.5,
    "float NaN": float("nan"),
    "NaN": Decimal("NaN"),
    "sNaN": Decimal("sNaN"),
    "Infinity": Decimal("Infinity"),
    "-Infinity": Decimal("-Infinity"),
    "39 digits": Decimal("1" * 39),
    "int of 39 significant digits": 10**38 + 1,
    "int of 39 significant digits and zeros": (10**38 + 1) * 10**40,
    "int too large": 10**126,
    "int far too large": 10**5000,
    "too large": Decimal("1E+126"),
    "too small": Decimal("1E-131"),
    "empty set": set(),
    "empty frozenset": frozenset(),
    "mixed set": {1, "a"},
    "set of floats": {0.5},
    "set of bools": {True},
    "float in a list": [0.5],
    "an object": object(),
}


@pytest.mark.parametrize("value", UNSERIALIZABLE.values(), ids=UNSERIALIZABLE.keys())
def test_serializer_rejects(value: object) -> None:
    with pytest.raises(SerializationError):
        serialize_value(value)


@PROPERTY
@given(st.floats())
def test_serializer_rejects_every_float(value: float) -> None:
    with pytest.raises(SerializationError, match="float"):
        serialize_value(value)


def test_serializer_errors_name_the_path() -> None:
    with pytest.raises(SerializationError) as caught:
        serialize_item({"metadata": {"scores": {"x": 0.5}}})
    assert caught.value.path == "metadata.M.scores.M.x"
    assert isinstance(caught.value, InvalidInputError)


def test_str_and_int_subclasses_serialize_as_boto3_takes_them() -> None:
    class Mood(enum.StrEnum):
        CALM = "calm"

    class Level(enum.IntEnum):
        HIGH = 3

    assert serialize_value(Mood.CALM) == {"S": "calm"}
    assert serialize_value(Level.HIGH) == {"N": "3"}


_TAGS = st.sampled_from(["", "S", "N", "B", "BOOL", "SS", "NS", "BS", "M", "L"])


@PROPERTY
@given(
    st.dictionaries(st.sampled_from("abcd"), attribute_values(), max_size=4),
    st.dictionaries(st.sampled_from("abce"), _TAGS, max_size=4),
)
def test_known_attributes_decode_as_a_whole_image_does_or_name_the_mistyped_one(
    image: dict[str, Any], expected: dict[str, str]
) -> None:
    """Only the expected attributes, each of its expected type (any for ``""``, NULL too)."""
    known = {name: value for name, value in image.items() if name in expected}
    mistyped = [
        name
        for name, value in known.items()
        if expected[name] and next(iter(value)) not in (expected[name], "NULL")
    ]
    if mistyped:
        with pytest.raises(ItemValidationError) as caught:
            deserialize_known(image, expected, path="NewImage")
        assert caught.value.path == f"NewImage.{mistyped[0]}"
        assert caught.value.reason.startswith(f"expected {KINDS[expected[mistyped[0]]]} (")
    else:
        assert deserialize_known(image, expected, path="NewImage") == deserialize_image(known)
