"""DynamoDB's one number rule: 38 significant digits once leading and trailing zeros are trimmed,
non-zero magnitudes from 1E-130 to 9.9999999999999999999999999999999999999E+125, and zero.

The decoder, the serializer, the sinks' pre-send checks and the strategies all follow it; an
independent oracle (``Decimal.normalize`` in a wide context) checks the rule itself.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Context, Decimal
from typing import Any

import pytest
from hypothesis import find, given
from hypothesis import strategies as st

from dashboard_projection import (
    BadRecord,
    DeserializationError,
    DynamoDBSink,
    InMemorySink,
    Put,
    RejectedWriteError,
    SerializationError,
    deserialize_value,
    process_stream_event,
    serialize_value,
)
from dashboard_projection._engine._numbers import number_problem
from dashboard_projection.testing import attribute_values
from hypothesis_profile import PROPERTY
from servers import create_table, make_client

SEVENTEEN_DIGITS = "110111111111111110000000000000000000000"  # 39 characters, 17 significant
WIDE = Context(prec=10_000, Emin=-10_000_000, Emax=10_000_000)


def dynamodb_stores(number: Decimal) -> bool:
    """The rule as AWS's developer guide states it, computed independently of the codec."""
    if not number:
        return True
    significant = len(number.normalize(WIDE).as_tuple().digits)
    return significant <= 38 and Decimal("1E-130") <= abs(number) < Decimal("1E+126")


#: Numbers near every edge: up to 45 digits, zeros on both sides, exponents around the range.
NUMBERS = st.builds(
    lambda sign, digits, exponent: Decimal(f"{sign}{digits}E{exponent}"),
    st.sampled_from(["", "-"]),
    st.text("0123456789", min_size=1, max_size=45)
    | st.builds(
        lambda ones, zeros: "1" * ones + "0" * zeros, st.integers(1, 40), st.integers(0, 60)
    ),
    st.integers(-220, 170),
)


def test_trailing_zeros_are_not_significant_digits() -> None:
    assert deserialize_value({"N": SEVENTEEN_DIGITS}) == Decimal(SEVENTEEN_DIGITS)
    assert deserialize_value({"N": "0.00000" + "1" * 38 + "000"}) == Decimal(
        "0." + "0" * 5 + "1" * 38
    )
    assert serialize_value(10**40) == {"N": "1" + "0" * 40}
    assert serialize_value(Decimal(SEVENTEEN_DIGITS)) == {"N": SEVENTEEN_DIGITS}
    assert serialize_value(-(10**125)) == {"N": "-1" + "0" * 125}


@pytest.mark.parametrize(
    "text",
    ["1" * 39, "1" * 39 + "0" * 20, "0." + "1" * 39, "1E+126", "1E-131", "9" * 126, "NaN"],
)
def test_what_dynamodb_refuses_stays_refused(text: str) -> None:
    with pytest.raises(DeserializationError):
        deserialize_value({"N": text})
    with pytest.raises(SerializationError):
        serialize_value(Decimal(text))


def test_the_limits_themselves_are_accepted() -> None:
    for text in ("1E-130", "-1E-130", "9." + "9" * 37 + "E+125", "0E+500", "-0E-500"):
        assert deserialize_value({"N": text}) == Decimal(text)
        assert serialize_value(Decimal(text)) == {"N": str(Decimal(text))}


@PROPERTY
@given(NUMBERS)
def test_the_rule_is_dynamodbs(number: Decimal) -> None:
    assert (number_problem(number) is None) == dynamodb_stores(number)


@PROPERTY
@given(NUMBERS)
def test_decoder_and_serializer_accept_exactly_what_dynamodb_stores(number: Decimal) -> None:
    if dynamodb_stores(number):
        assert deserialize_value({"N": str(number)}) == number
        assert deserialize_value(serialize_value(number)) == number
        if number == number.to_integral_value():
            assert deserialize_value(serialize_value(int(number))) == number
    else:
        with pytest.raises(DeserializationError, match=r"significant digits|range"):
            deserialize_value({"N": str(number)})
        with pytest.raises(SerializationError, match=r"significant digits|range"):
            serialize_value(number)


@PROPERTY
@given(NUMBERS)
def test_the_sinks_pre_send_check_follows_the_rule(number: Decimal) -> None:
    sink = InMemorySink(("k",))
    result = sink.write([Put({"k": {"S": "a"}, "n": {"N": str(number)}})])
    assert result.ok == dynamodb_stores(number)
    assert all(isinstance(failure.error, RejectedWriteError) for failure in result.failed)


def numbers_in(value: dict[str, Any]) -> list[str]:
    """Every N and NS member of a DynamoDB JSON value, as spelled."""
    ((tag, payload),) = value.items()
    if tag == "N":
        return [payload]
    if tag == "NS":
        return list(payload)
    if tag == "M":
        return [text for member in payload.values() for text in numbers_in(member)]
    if tag == "L":
        return [text for element in payload for text in numbers_in(element)]
    return []


@PROPERTY
@given(attribute_values())
def test_the_strategies_spell_numbers_as_dynamodb_takes_them(value: dict[str, Any]) -> None:
    for text in numbers_in(value):
        assert dynamodb_stores(Decimal(text)), text


def digits_as_written(text: str) -> int:
    mantissa = text.lstrip("+-").lower().split("e")[0]
    return len(mantissa.replace(".", ""))


def test_the_strategies_spell_numbers_past_38_characters() -> None:
    """Not only 38 digits as written: DynamoDB trims zeros before it counts (find() raises if
    no such spelling turns up)."""
    found = find(
        attribute_values(max_depth=0),
        lambda value: any(digits_as_written(text) > 38 for text in numbers_in(value)),
    )
    assert any(digits_as_written(text) > 38 for text in numbers_in(found))


def test_a_record_carrying_such_a_number_in_metadata_is_written() -> None:
    image = {
        "source_id": {"S": "news#1"},
        "ingested_at": {"S": "2025-11-16T14:30:15.000Z"},
        "sentiment": {"S": "neutral"},
        "score": {"N": "0.50000000000000000000000000000000000000000"},
        "status": {"S": "analyzed"},
        "metadata": {"M": {"title": {"S": "t"}, "reach": {"N": SEVENTEEN_DIGITS}}},
    }
    event = {
        "Records": [{"eventName": "INSERT", "dynamodb": {"NewImage": image, "SequenceNumber": "1"}}]
    }
    dead: list[BadRecord] = []
    sink = InMemorySink(("day_partition", "item_key"))
    process_stream_event(
        event, sink, now=datetime(2025, 11, 16, tzinfo=UTC), metrics=False, dead_letter=dead.append
    )
    assert dead == []
    assert len(sink) == 1


@pytest.mark.integration
def test_a_dynamodb_compatible_server_stores_what_the_rule_accepts(dynamodb_endpoint: str) -> None:
    """dynalite counts digits as DynamoDB does (moto does not check): the rule agrees with it."""
    client = make_client(dynamodb_endpoint)
    table = create_table(client, [("k", "S")])
    sink = DynamoDBSink(table, key_attributes=("k",), client=client)
    accepted = [
        SEVENTEEN_DIGITS,
        str(10**40),
        "0.5" + "0" * 45,
        "1E-130",
        "-9." + "9" * 37 + "E+125",
    ]
    result = sink.write([Put({"k": {"S": text}, "n": {"N": text}}) for text in accepted])
    assert result.ok, result.failed
    for text in accepted:
        stored = client.get_item(TableName=table, Key={"k": {"S": text}}, ConsistentRead=True)
        assert Decimal(stored["Item"]["n"]["N"]) == Decimal(text)
    refused = sink.write([Put({"k": {"S": "x"}, "n": {"N": "1" * 39 + "000"}})])
    assert [type(failure.error) for failure in refused.failed] == [RejectedWriteError]
