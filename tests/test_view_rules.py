"""The view's generic rules as properties: combined keys over any range, canonical key text,
distinct keys for distinct primary keys, and time ranges across days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from orders import orders

from dashboard_projection import ConfigurationError, InvalidInputError, combined_key
from dashboard_projection._view._layout import key_text
from dashboard_projection._view._time import parse_instant, utc_instant, utc_instant_of
from dashboard_projection.testing._values import draw_instant
from hypothesis_profile import PROPERTY
from servers import create_view_table, make_client
from views import SENSORS

# --- combined keys over any declared range ----------------------------------------------------

BOUNDS = st.decimals(min_value=-(10**6), max_value=10**6, places=3, allow_nan=False)
PLACES = st.integers(0, 4)


@st.composite
def ranges(draw: st.DrawFn) -> tuple[int, Decimal, Decimal, Decimal, Decimal]:
    """places, low, high, and two values within [low, high]."""
    places = draw(PLACES)
    low, high = sorted((draw(BOUNDS), draw(BOUNDS)))
    inside = st.decimals(min_value=low, max_value=high, places=3)
    return places, low, high, draw(inside), draw(inside)


def rounded(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


@given(ranges())
def test_string_order_is_numeric_order_across_any_range(
    case: tuple[int, Decimal, Decimal, Decimal, Decimal],
) -> None:
    places, low, high, a, b = case
    key_a, key_b = (
        combined_key("c", value, places=places, min_value=low, max_value=high) for value in (a, b)
    )
    if key_a[2:3].isdigit() == key_b[2:3].isdigit():  # of one sign: the same width
        assert len(key_a) == len(key_b)
    assert (key_a < key_b) == (rounded(a, places) < rounded(b, places))
    assert (key_a == key_b) == (rounded(a, places) == rounded(b, places))


@given(ranges())
def test_a_combined_key_reads_back_as_its_rounded_value(
    case: tuple[int, Decimal, Decimal, Decimal, Decimal],
) -> None:
    places, low, high, value, _ = case
    text = combined_key("c", value, places=places, min_value=low, max_value=high)[2:]
    digits = len(text.lstrip("-").split(".")[0])
    number = Decimal(text) if not text.startswith("-") else Decimal(text[1:]) - 10**digits
    assert number == rounded(value, places) or (number == 0 and rounded(value, places) == 0)


@pytest.mark.parametrize(
    ("value", "low", "high"),
    [(Decimal("-40.01"), -40, 125), (Decimal("125.01"), -40, 125), (Decimal("NaN"), 0, 1)],
)
def test_a_value_outside_the_range_is_invalid_input(value: Decimal, low: int, high: int) -> None:
    with pytest.raises(InvalidInputError):
        combined_key("c", value, min_value=low, max_value=high)


def test_a_range_wider_than_dynamodb_numbers_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="38"):
        combined_key("c", 0, places=30, max_value=Decimal(10) ** 10)


def test_categories_are_escaped_so_none_runs_into_its_number() -> None:
    assert combined_key("a#b", Decimal("0.5")) == "a%23b#0.50"


# --- key text ---------------------------------------------------------------------------------


@given(st.decimals(allow_nan=False, allow_infinity=False), st.integers(0, 5))
def test_numbers_in_a_key_are_written_canonically(number: Decimal, zeros: int) -> None:
    plain = f"{number:f}"
    spellings = {str(number), f"{number:E}", plain + ("0" * zeros if "." in plain else "")}
    texts = {key_text({"N": spelling}, "k") for spelling in spellings}
    assert len(texts) == 1
    assert Decimal(texts.pop()) == number


@given(
    st.decimals(allow_nan=False, allow_infinity=False),
    st.decimals(allow_nan=False, allow_infinity=False),
)
def test_distinct_numbers_have_distinct_key_text(a: Decimal, b: Decimal) -> None:
    assume(a != b)
    assert key_text({"N": str(a)}, "k") != key_text({"N": str(b)}, "k")


TEXT = st.text(st.sampled_from("ab#%é"), min_size=1, max_size=6)


@given(TEXT, TEXT, TEXT, TEXT)
def test_distinct_primary_keys_give_distinct_item_keys(a: str, b: str, c: str, d: str) -> None:
    assume((a, b) != (c, d))
    layout = orders.layout  # key (order_id, created_at), timestamp created_at
    instant = "2025-11-16T00:00:00.000000Z"
    first = layout.key_suffix(instant, ({"S": a}, {"S": b}))
    second = layout.key_suffix(instant, ({"S": c}, {"S": d}))
    assert first != second


# --- time ranges across days ------------------------------------------------------------------

INSTANTS = st.datetimes(
    min_value=datetime(2025, 11, 10),  # noqa: DTZ001 - Hypothesis wants naive bounds
    max_value=datetime(2025, 11, 20),  # noqa: DTZ001
    timezones=st.just(UTC),
)


@given(INSTANTS, INSTANTS, INSTANTS)
def test_a_time_range_selects_each_instant_once_iff_inside(
    start: datetime, end: datetime, moment: datetime
) -> None:
    assume(start < end)
    queries = orders.query_by_time_range("t", start, end)
    days = [query["ExpressionAttributeValues"][":day"]["S"] for query in queries]
    assert days == sorted(days)
    assert (
        len(queries)
        == (end - timedelta(microseconds=1)).date().toordinal() - start.date().toordinal() + 1
    )
    key = f"base#{utc_instant(moment)}#2025#o-1"
    day = utc_instant(moment)[:10]
    hits = 0
    for query in queries:
        values = query["ExpressionAttributeValues"]
        if values[":day"]["S"] == day and values[":start"]["S"] <= key <= values[":end"]["S"]:
            hits += 1
    assert hits == (1 if start <= moment < end else 0)


# --- the reader pages ---------------------------------------------------------------------------


@pytest.mark.integration
def test_the_reader_follows_last_evaluated_key(dynamodb_endpoint: str) -> None:
    client = make_client(dynamodb_endpoint)
    table = create_view_table(client, orders.table_spec("orders-dashboard"))
    for hour in range(5):
        client.put_item(
            TableName=table,
            Item={
                "day_partition": {"S": "2025-11-16"},
                "item_key": {"S": f"base#2025-11-16T0{hour}:00:00.000000Z#t#o-{hour}"},
                "created_at_utc": {"S": f"2025-11-16T0{hour}:00:00.000000Z"},
                "expires_at": {"N": "1"},
                "order_id": {"S": f"o-{hour}"},
                "created_at": {"S": f"2025-11-16T0{hour}:00:00Z"},
            },
        )
    query = orders.query_by_day(table, datetime(2025, 11, 16, tzinfo=UTC).date()) | {"Limit": 2}
    read = [item.model_dump()["order_id"] for item in orders.read(client, query)]
    assert read == [f"o-{hour}" for hour in range(5)]


@given(
    low=st.decimals(min_value=-40, max_value=125, places=2),
    high=st.decimals(min_value=-40, max_value=125, places=2),
)
def test_a_combined_range_upside_down_is_invalid_input(low: Decimal, high: Decimal) -> None:
    if low <= high:
        query = SENSORS.query_by_combined("t", date(2025, 11, 16), "heat", low, high)
        values = query["ExpressionAttributeValues"]
        assert values[":low"]["S"] <= values[":high"]["S"]
    else:
        with pytest.raises(InvalidInputError, match="low <= high"):
            SENSORS.query_by_combined("t", date(2025, 11, 16), "heat", low, high)


@PROPERTY
@given(st.composite(draw_instant)())
def test_the_utc_shortcut_writes_what_parsing_writes(text: str) -> None:
    """``Z``, ``+00:00`` and ``-00:00`` take a shortcut; every spelling must agree with parsing."""
    assert utc_instant_of(text) == utc_instant(parse_instant(text))
