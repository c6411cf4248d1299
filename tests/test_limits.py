from __future__ import annotations

import base64
from decimal import Context, Decimal
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard_projection._engine._limits import (
    MAX_BATCH_OPS,
    MAX_ITEM_BYTES,
    MAX_REQUEST_BYTES,
    check_key_attributes,
    split_into_requests,
    validate_item_for_write,
)
from dashboard_projection._engine._plan import Delete, Put
from dashboard_projection._engine._sizes import _number_size, item_size
from dashboard_projection._errors import ConfigurationError, InvalidInputError, RejectedWriteError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from dashboard_projection._engine._plan import WriteOp
    from dashboard_projection._types import WireItem

KEY = ("day_partition", "item_key")


def item(item_key: str = "a", **attributes: dict[str, Any]) -> dict[str, Any]:
    return {"day_partition": {"S": "2024-05-01"}, "item_key": {"S": item_key}, **attributes}


def test_25_items_of_400_kb_fit_one_request_so_the_16_mb_limit_never_binds() -> None:
    assert MAX_BATCH_OPS * MAX_ITEM_BYTES <= MAX_REQUEST_BYTES


# Each line applies one rule of AWS's "Item sizes and formats"; names are 1 byte unless shown.
@pytest.mark.parametrize(
    ("attributes", "size"),
    [
        ({"a": {"S": "hello"}}, 1 + 5),
        ({"ü": {"S": "日本"}}, 2 + 6),  # UTF-8 bytes, for names too
        ({"a": {"B": b"\x00\x01\x02"}}, 1 + 3),  # raw bytes, as the boto3 client sends them
        ({"a": {"B": "AAEC"}}, 1 + 3),  # the same bytes as base64 text, as in stream events
        ({"a": {"BOOL": False}}, 1 + 1),
        ({"a": {"NULL": True}}, 1 + 1),
        ({"a": {"L": []}}, 1 + 3),  # an empty list still costs 3 bytes
        ({"a": {"M": {}}}, 1 + 3),
        ({"a": {"L": [{"S": "ab"}, {"BOOL": True}]}}, 1 + 3 + (1 + 2) + (1 + 1)),
        ({"a": {"M": {"xy": {"S": "ab"}}}}, 1 + 3 + (1 + 2 + 2)),  # element byte, name, value
        ({"a": {"SS": ["a", "bc"]}}, 1 + 3),  # a set is the sum of its members
        ({"a": {"BS": [b"ab", "AAEC"]}}, 1 + 5),
        ({"a": {"NS": ["1", "22"]}}, 1 + 2 + 2),
        ({"a": {"S": "x"}, "bb": {"N": "7"}}, (1 + 1) + (2 + 2)),  # attributes add up
    ],
)
def test_item_size_follows_the_documented_rules(attributes: WireItem, size: int) -> None:
    assert item_size(attributes) == size


@pytest.mark.parametrize(
    ("number", "size"),
    [
        ("0", 1),
        ("7", 2),  # 1 digit: 1 byte, plus the exponent byte
        ("12", 2),  # 2 digits in one pair
        ("123", 3),  # 01 23
        ("1.2", 3),  # 01.20: an even count split across pairs takes one pair more
        ("0.12", 2),  # .12
        ("-7", 3),  # negatives take a terminator byte
        ("000120.0500", 4),  # leading and trailing zeros do not count: 120.05 -> 01 20.05
        ("1E+100", 2),
        ("9" * 38, 20),
    ],
)
def test_number_widths_match_dynamodbs_base_100_storage(number: str, size: int) -> None:
    assert _number_size(number) == size


@given(st.decimals(allow_nan=False, allow_infinity=False, places=None).filter(bool))
def test_number_width_is_never_below_awss_approximation_and_at_most_2_bytes_above(
    number: Decimal,
) -> None:
    significant = len(number.normalize(Context(prec=1000)).as_tuple().digits)
    approximation = (significant + 1) // 2 + 1
    assert approximation <= _number_size(str(number)) <= approximation + 2


@pytest.mark.parametrize(
    ("attributes", "path", "expected"),
    [
        ({"m": {"M": {"x": {"N": 1.5}}}}, "m.x", "use decimal.Decimal"),
        ({"l": {"L": [{"S": "a"}, {"SS": []}]}}, "l[1]", "no empty sets"),
        ({"s": {"NS": ["1", 2.0]}}, "s[1]", "number as a string"),
        ({"s": {"X": "1"}}, "s", "unknown type tag 'X'"),
        ({"s": {"S": "a", "N": "1"}}, "s", "one typed value"),
        ({"n": {"N": "NaN"}}, "n", "finite number"),
        ({"n": {"N": "1,5"}}, "n", "decimal number"),
        ({"b": {"B": "not base64!"}}, "b", "base64 text"),
        ({"b": {"BOOL": "yes"}}, "b", "true or false"),
        ({"b": {"NULL": False}}, "b", "only NULL payload"),
        ({"b": {"L": {}}}, "b", "expected a list"),
        ({"b": {"M": []}}, "b", "map of attributes"),
        ({"b": {"SS": "a"}}, "b", "list of SS members"),
        ({"b": {"S": "\ud800"}}, "b", "lone surrogate"),
    ],
)
def test_item_size_refuses_what_dynamodb_cannot_hold_and_names_the_path(
    attributes: WireItem, path: str, expected: str
) -> None:
    with pytest.raises(InvalidInputError, match=expected) as caught:
        item_size(attributes)
    assert caught.value.path == path


def test_validate_accepts_an_item_of_exactly_400_kb() -> None:
    padding = MAX_ITEM_BYTES - item_size({**item(), "p": {"S": ""}})
    validate_item_for_write({**item(), "p": {"S": "x" * padding}}, KEY, where="table 't'")


@pytest.mark.parametrize(
    ("attributes", "expected"),
    [
        ({"day_partition": {"S": "d"}}, "item_key: missing"),
        (item(tags={"SS": []}), "tags: an empty SS"),
        (item(score={"N": 0.72}), "score: expected the number as a string.*0.72.*Decimal"),
        (item(meta={"M": {"n": {"NS": [0.5]}}}), r"meta\.n\[0\]: .*float"),
        ({**item(), "item_key": {"SS": ["a"]}}, "item_key: a key attribute must be S, N or B"),
        ({**item(), "item_key": {"S": ""}}, "item_key: a key attribute cannot be empty"),
        ({**item(), "item_key": {"B": b""}}, "item_key: a key attribute cannot be empty"),
        (
            {**item(), "day_partition": {"S": "p" * 2049}},
            "day_partition: 2049 bytes; a partition key value holds at most 2048",
        ),
        (
            {**item(), "item_key": {"S": "k" * 1025}},
            "item_key: 1025 bytes; a sort key value holds at most 1024",
        ),
        (item(big={"B": b"\x00" * MAX_ITEM_BYTES}), "4096.. bytes; .* at most 409600 bytes"),
    ],
)
def test_validate_rejects_what_dynamodb_rejects_saying_what_where_and_what_was_expected(
    attributes: WireItem, expected: str
) -> None:
    with pytest.raises(RejectedWriteError, match=expected) as caught:
        validate_item_for_write(attributes, KEY, where="table 'dash'")
    assert not caught.value.retryable
    assert str(caught.value).startswith("table 'dash': item (day_partition=S:'")


def test_a_number_key_of_zero_is_not_empty() -> None:
    validate_item_for_write({"n": {"N": "0"}}, ("n",), where="t")


def test_split_cuts_requests_of_at_most_25_in_the_order_asked() -> None:
    ops: list[WriteOp] = [Put(item(str(n))) for n in range(60)]
    split = split_into_requests(ops, KEY, where="t")
    assert split.batches == [list(range(25)), list(range(25, 50)), list(range(50, 60))]
    assert split.rejected == []


def test_split_keeps_the_last_operation_on_each_key() -> None:
    ops: list[WriteOp] = [Put(item("a")), Put(item("b")), Delete(item("a")), Put(item("b"))]
    assert split_into_requests(ops, KEY, where="t").batches == [[2, 3]]


def test_split_treats_numbers_and_binaries_that_are_equal_as_one_key() -> None:
    ops: list[WriteOp] = [
        Put({"n": {"N": "1"}, "b": {"B": b"\x00"}}),
        Put({"n": {"N": "1.0"}, "b": {"B": base64.b64encode(b"\x00").decode()}}),
    ]
    assert split_into_requests(ops, ("n", "b"), where="t").batches == [[1]]


def test_a_rejected_operation_leaves_the_key_to_the_valid_one_before_it() -> None:
    ops: list[WriteOp] = [Put(item("a")), Put(item("a", bad={"SS": []}))]
    split = split_into_requests(ops, KEY, where="t")
    assert split.batches == [[0]]
    assert [failure.index for failure in split.rejected] == [1]


def test_a_delete_key_with_more_than_the_key_attributes_is_rejected() -> None:
    split = split_into_requests([Delete(item("a", extra={"S": "x"}))], KEY, where="t")
    assert split.batches == []
    assert "a delete key holds only day_partition, item_key, got also extra" in str(
        split.rejected[0].error
    )


@pytest.mark.parametrize("names", [(), ("a", "b", "c"), ("a", "a"), ("",), "pk"])
def test_key_attributes_are_one_or_two_distinct_names(names: tuple[str, ...]) -> None:
    with pytest.raises(ConfigurationError, match="key_attributes"):
        check_key_attributes(names)


def _reasons(ops: Sequence[WriteOp]) -> list[tuple[int, str]]:
    return [(f.index, str(f.error)) for f in split_into_requests(ops, KEY, where="t").rejected]


def test_values_shared_between_items_are_checked_as_if_each_item_had_its_own_copy() -> None:
    # A record's items share their value objects; each value is checked once per write, but
    # every item is still sized and refused on its own, exactly as with copies of the values.
    padding = {"S": "x" * (MAX_ITEM_BYTES - item_size(item("k0", p={"S": ""})))}
    bad_number = {"N": "1E+200"}  # outside DynamoDB's range
    floating = {"N": 1.5}
    shared = [
        Put(item("k0", p=padding)),  # exactly 400 KB
        Put(item("k1", p=padding, extra={"S": "y"})),  # over, with the same padding
        Put(item("k2", pp=padding)),  # the same value under a longer name: over
        Put(item("k3", n=bad_number)),
        Put(item("k4", n=bad_number, m={"M": {"n": bad_number}})),
        Put(item("k5", f=floating)),
        Put(item("k6", g=floating)),
        Put(item("k7", p={"S": "fine"})),
    ]
    copied = [Put({name: dict(value) for name, value in op.item.items()}) for op in shared]
    assert [index for index, _ in _reasons(shared)] == [1, 2, 3, 4, 5, 6]
    assert _reasons(shared) == _reasons(copied)
    assert split_into_requests(shared, KEY, where="t").batches == [[0, 7]]


def test_an_empty_top_level_attribute_name_is_refused_before_sending() -> None:
    item = {"day_partition": {"S": "d"}, "item_key": {"S": "k"}, "": {"S": "x"}}
    with pytest.raises(RejectedWriteError, match="empty attribute name"):
        validate_item_for_write(item, ("day_partition", "item_key"), where="Put")
