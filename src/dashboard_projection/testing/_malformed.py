"""Malformed records: each kind turns a good INSERT or MODIFY record into one that is rejected.

Two families. :data:`KINDS` applies to any view: each kind takes the attribute it breaks
(chosen by its role: any attribute the model reads, a string, a number, a string set, a
required one), or none for a broken envelope. :data:`_MALFORMATION_KINDS` is the sentiment
dashboard's own list, named like the files of the test suite's corpus of bad events.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Literal

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from dashboard_projection._engine._limits import MAX_SORT_KEY_BYTES
from dashboard_projection._view._validation import stored_types
from dashboard_projection.testing._table import Record

#: What a generic kind breaks: an attribute the model reads (``any``), one stored as S, N or
#: SS, a required one, or the envelope (no attribute).
Role = Literal["any", "S", "N", "SS", "required", "envelope"]
#: Applies a kind to a record, given the attribute it breaks ("" for the envelope).
Apply = Callable[[Record, str], None]


def _setter(value: object) -> Apply:
    def apply(record: Record, name: str) -> None:
        record["dynamodb"]["NewImage"][name] = copy.deepcopy(value)

    return apply


def _drop(record: Record, name: str) -> None:
    record["dynamodb"]["NewImage"].pop(name, None)


def _new_image_not_an_object(record: Record, name: str) -> None:
    del name
    body = record["dynamodb"]
    body["NewImage"] = [body["NewImage"]]


def _missing_new_image(record: Record, name: str) -> None:
    """As a stream with the ``OLD_IMAGE`` view type delivers an INSERT or MODIFY."""
    del name
    body = record["dynamodb"]
    del body["NewImage"]
    body["StreamViewType"] = "OLD_IMAGE"


def _missing_sequence_number(record: Record, name: str) -> None:
    del name
    del record["dynamodb"]["SequenceNumber"]


def _record_without_dynamodb(record: Record, name: str) -> None:
    del name
    del record["dynamodb"]


def _unknown_event_name(record: Record, name: str) -> None:
    del name
    record["eventName"] = "UPSERT"


def _keys_of_another_table(record: Record, name: str) -> None:
    """Keys named as no attribute of the view's table: the stream of another table."""
    del name
    record["dynamodb"]["Keys"] = {"other_table_id": {"S": "x"}}


_ENVELOPE: tuple[tuple[str, Apply], ...] = (
    ("missing_new_image", _missing_new_image),
    ("missing_sequence_number", _missing_sequence_number),
    ("new_image_not_an_object", _new_image_not_an_object),
    ("record_without_dynamodb", _record_without_dynamodb),
    ("unknown_event_name", _unknown_event_name),
)

#: Kinds that any view rejects, whatever its model: (name, the attribute's role, apply).
KINDS: tuple[tuple[str, Role, Apply], ...] = (
    # Malformed DynamoDB JSON.
    ("attribute_value_not_an_object", "any", _setter("neutral")),
    ("bad_base64", "any", _setter({"B": "not*base64!"})),
    ("two_type_tags", "any", _setter({"N": "0.5", "S": "0.5"})),
    ("unknown_type_tag", "any", _setter({"X": "0.5"})),
    ("n_39_digits", "N", _setter({"N": "0." + "1" * 39})),
    ("n_infinity", "N", _setter({"N": "Infinity"})),
    ("n_nan", "N", _setter({"N": "NaN"})),
    ("n_not_numeric", "N", _setter({"N": "abc"})),
    ("s_null_payload", "S", _setter({"S": None})),
    ("duplicate_members", "SS", _setter({"SS": ["a", "a"]})),
    ("empty_ss", "SS", _setter({"SS": []})),
    # Type tag mismatches: DynamoDB JSON that the model would coerce, and must not.
    ("number_as_string", "N", _setter({"S": "0.72"})),
    ("string_as_number", "S", _setter({"N": "1"})),
    ("set_as_list", "SS", _setter({"L": [{"S": "a"}, {"S": "b"}]})),
    # A required attribute missing.
    ("missing_required", "required", _drop),
    # Broken envelopes.
    *((kind, "envelope", apply) for kind, apply in _ENVELOPE),
    ("keys_of_another_table", "envelope", _keys_of_another_table),
)


def view_kinds(
    model: type[BaseModel], infos: Mapping[str, FieldInfo], hidden: set[str]
) -> SearchStrategy[tuple[str, Apply, SearchStrategy[str]]]:
    """The kinds of :data:`KINDS` ``model`` has an attribute for, each with its candidates.

    ``hidden`` attributes (a ShownWhen's) are never broken: an image they hide is not checked.
    """
    stored = stored_types(model)
    candidates: dict[str, list[str]] = {
        "any": sorted(infos),
        "required": sorted(name for name, info in infos.items() if info.is_required()),
        "envelope": [""],
    }
    for tag in ("S", "N", "SS"):
        candidates[tag] = sorted(name for name, stored_as in stored.items() if stored_as == tag)
    options = [
        (kind, apply, st.sampled_from(names))
        for kind, role, apply in KINDS
        if (names := [name for name in candidates[role] if name not in hidden])
    ]
    return st.sampled_from(options)


# --- the sentiment dashboard's kinds ---------------------------------------------------------

_SentimentMalform = Callable[[Record, int], None]


def _set_new(name: str, value: object) -> _SentimentMalform:
    apply = _setter(value)

    def malform(record: Record, max_tags: int) -> None:
        del max_tags
        apply(record, name)

    return malform


def _drop_new(name: str) -> _SentimentMalform:
    def malform(record: Record, max_tags: int) -> None:
        del max_tags
        _drop(record, name)

    return malform


def _envelope(apply: Apply) -> _SentimentMalform:
    def malform(record: Record, max_tags: int) -> None:
        del max_tags
        apply(record, "")

    return malform


def _source_id_too_long(record: Record, max_tags: int) -> None:
    del max_tags
    image = record["dynamodb"]["NewImage"]
    image["source_id"] = {"S": image["source_id"]["S"] + "x" * MAX_SORT_KEY_BYTES}


def _too_many_tags(record: Record, max_tags: int) -> None:
    tags = [f"tag{number:02d}" for number in range(max_tags + 1)]
    record["dynamodb"]["NewImage"]["matched_tags"] = {"SS": tags}


_MALFORMATION_KINDS: tuple[tuple[str, _SentimentMalform], ...] = (
    # Malformed DynamoDB JSON.
    ("attribute_value_not_an_object", _set_new("sentiment", "neutral")),
    ("bad_base64", _set_new("source_id", {"B": "not*base64!"})),
    ("duplicate_tags", _set_new("matched_tags", {"SS": ["AI", "AI"]})),
    ("empty_ss", _set_new("matched_tags", {"SS": []})),
    ("n_39_digits", _set_new("score", {"N": "0." + "1" * 39})),
    ("n_infinity", _set_new("score", {"N": "Infinity"})),
    ("n_nan", _set_new("score", {"N": "NaN"})),
    ("n_not_numeric", _set_new("score", {"N": "abc"})),
    ("two_type_tags", _set_new("score", {"N": "0.5", "S": "0.5"})),
    ("unknown_type_tag", _set_new("score", {"X": "0.5"})),
    # Invalid fields.
    ("bad_sentiment", _set_new("sentiment", {"S": "happy"})),
    ("empty_string_tag", _set_new("matched_tags", {"SS": ["AI", ""]})),
    ("ingested_at_not_a_date", _set_new("ingested_at", {"S": "yesterday"})),
    ("ingested_at_out_of_range", _set_new("ingested_at", {"S": "0001-01-01T00:00:00+01:00"})),
    ("ingested_at_without_timezone", _set_new("ingested_at", {"S": "2025-11-16T14:30:15"})),
    ("missing_score", _drop_new("score")),
    ("missing_sentiment", _drop_new("sentiment")),
    ("missing_source_id", _drop_new("source_id")),
    ("score_as_string", _set_new("score", {"S": "0.72"})),
    ("score_negative", _set_new("score", {"N": "-0.1"})),
    ("score_out_of_range", _set_new("score", {"N": "1.5"})),
    ("source_id_too_long", _source_id_too_long),
    ("tags_as_list", _set_new("matched_tags", {"L": [{"S": "AI"}, {"S": "europe"}]})),
    ("too_many_tags", _too_many_tags),
    # Broken envelopes.
    *((kind, _envelope(apply)) for kind, apply in _ENVELOPE),
)
