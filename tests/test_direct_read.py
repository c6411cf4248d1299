"""Pydantic reading images directly (``_view/_direct``) changes nothing but the speed.

Every view is checked against its twin that always decodes, then validates: the same items, or
the same error, for valid streams, malformed ones, and images broken on purpose.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    create_model,
    field_validator,
    model_validator,
)

from dashboard_projection import DashboardProjectionError, DashboardView, StreamRecord
from dashboard_projection._view._direct import DirectRead
from dashboard_projection.testing import stream_images, stream_records
from views import ORDERS, VIEWS

NOW = datetime(2025, 11, 16, 12, tzinfo=UTC)
PROPERTY = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def two_walk_twin(view: DashboardView[Any, Any]) -> DashboardView[Any, Any]:
    """The same declaration, always decoding the image first, then validating it."""
    twin = dataclasses.replace(view)
    object.__setattr__(twin._rules.read, "direct", None)
    return twin


def outcome(call: Any) -> tuple[object, ...]:
    try:
        return ("items", call())
    except DashboardProjectionError as error:
        return ("error", type(error).__name__, str(error), getattr(error, "cleanup", ()))


@pytest.mark.parametrize("name", VIEWS)
def test_every_view_reads_directly(name: str) -> None:
    assert VIEWS[name]._rules.read.direct is not None


@pytest.mark.parametrize("name", VIEWS)
def test_records_project_as_when_decoded_first(name: str) -> None:
    view = VIEWS[name]
    twin = two_walk_twin(view)

    @PROPERTY
    @given(stream_records(view, bad=True))
    def check(records: list[dict[str, Any]]) -> None:
        for raw in records:
            try:
                record = StreamRecord.from_lambda_record(raw)
            except DashboardProjectionError:
                continue  # a broken envelope: no image gets read
            assert outcome(lambda: view(record, now=NOW)) == outcome(  # noqa: B023
                lambda: twin(record, now=NOW)  # noqa: B023
            )

    check()


@pytest.mark.parametrize("name", VIEWS)
def test_valid_images_are_read_directly_unless_null(name: str) -> None:
    """Giving up is always safe; giving up on a plain valid image would only be slow."""
    view = VIEWS[name]
    rules = view._rules.read
    direct = rules.direct
    assert direct is not None

    @PROPERTY
    @given(stream_images(view))
    def check(image: dict[str, Any]) -> None:
        read = direct.read(image, {"path": "NewImage"})
        values = None if read is None else read[0]
        twin = two_walk_twin(view)._rules.read.values(image, "NewImage")
        if values is None:
            assert any("NULL" in image[name] for name in direct.names if name in image)
        else:
            assert values == twin

    check()


def _valid_order() -> dict[str, Any]:
    return {
        "order_id": {"S": "o-1"},
        "created_at": {"S": "2025-11-16T09:30:00+01:00"},
        "status": {"S": "paid"},
        "total": {"N": "129.95"},
        "categories": {"SS": ["books", "toys"]},
        "customer_id": {"S": "c-1"},
        "region": {"S": "eu"},
        "note": {"S": "not in the model"},
    }


class _Str(str):
    __slots__ = ()


BROKEN: dict[str, Any] = {
    "a value with two type tags": {"status": {"S": "paid", "N": "1"}},
    "a value with no type tag": {"region": {}},
    "a string stored as a number": {"region": {"N": "1"}},
    "a string stored as NULL": {"region": {"NULL": True}},
    "a set stored as NULL": {"categories": {"NULL": True}},
    "a number stored as a string": {"total": {"S": "129.95"}},
    "a number that is not one": {"total": {"N": "12_9.95"}},
    "a number with blanks": {"total": {"N": " 129.95"}},
    "a number beyond DynamoDB's range": {"total": {"N": "1e200"}},
    "a set with duplicates": {"categories": {"SS": ["books", "books"]}},
    "an empty set": {"categories": {"SS": []}},
    "a string payload that is bytes": {"region": {"S": b"eu"}},
    "a string payload that is a number": {"customer_id": {"S": 7}},
    "a required attribute missing": {"customer_id": None},
    "a status the model refuses": {"status": {"S": "lost"}},
    "an attribute value that is a list": {"region": ["S", "eu"]},
    "an attribute not in the model, malformed": {"note": {"S": 1, "N": 2}},
}


@pytest.mark.parametrize("change", BROKEN.values(), ids=BROKEN)
def test_broken_images_project_as_when_decoded_first(change: dict[str, Any]) -> None:
    image = _valid_order()
    for name, value in change.items():
        if value is None:
            del image[name]
        else:
            image[name] = value
    twin = two_walk_twin(ORDERS)
    assert outcome(lambda: ORDERS.project_image(image, now=NOW)) == outcome(
        lambda: twin.project_image(image, now=NOW)
    )


@pytest.mark.parametrize("name", ["source_type", "text_snippet", "sentiment"])
def test_a_null_string_payload_is_refused_as_when_decoded_first(name: str) -> None:
    """``{"S": null}`` under an optional field (or a Literal): refused, never copied as is."""
    view = VIEWS["sentiment"]
    image: dict[str, Any] = {
        "source_id": {"S": "s-1"},
        "ingested_at": {"S": "2025-11-16T09:30:00Z"},
        "sentiment": {"S": "neutral"},
        "score": {"N": "0.72"},
        "status": {"S": "analyzed"},
        name: {"S": None},
    }
    expected = outcome(lambda: two_walk_twin(view).project_image(image, now=NOW))
    assert expected[:2] == ("error", "DeserializationError")
    assert outcome(lambda: view.project_image(image, now=NOW)) == expected


def test_an_image_that_is_not_a_dict_is_left_to_the_codec() -> None:
    direct = ORDERS._rules.read.direct
    assert direct is not None
    assert direct.read([_valid_order()], {}) is None  # type: ignore[arg-type]


def test_a_str_subclass_payload_is_read_as_its_text() -> None:
    """The one documented difference: JSON never produces one, the codec refuses it."""
    image = _valid_order() | {"region": {"S": _Str("eu")}}
    direct = ORDERS._rules.read.direct
    assert direct is not None
    read = direct.read(image, {})
    assert read is not None
    assert type(read[0]["region"]) is str


def test_an_instance_is_the_models_own_and_equals_a_validated_one() -> None:
    direct = ORDERS._rules.read.direct
    assert direct is not None
    image = _valid_order()
    read = direct.read(image, {})
    assert read is not None
    item = direct.instance(read)
    validated = ORDERS.model(
        order_id="o-1",
        created_at="2025-11-16T09:30:00+01:00",
        status="paid",
        total=Decimal("129.95"),
        categories=frozenset({"books", "toys"}),
        customer_id="c-1",
        region="eu",
    )
    assert type(item) is ORDERS.model
    assert item == validated
    assert item.model_fields_set == validated.model_fields_set
    assert item.model_dump() == validated.model_dump()


def test_field_validators_see_decoded_values() -> None:
    seen: list[object] = []

    def note(value: object) -> object:
        seen.append(value)
        return value

    class Reading(BaseModel):
        reading_id: str
        at: str
        value: Annotated[Decimal, BeforeValidator(note)]
        tags: frozenset[str] = frozenset()

        @field_validator("tags", mode="before")
        @classmethod
        def note_tags(cls, tags: object) -> object:
            seen.append(tags)
            return tags

    direct = DirectRead.of(Reading)
    assert direct is not None
    image: dict[str, Any] = {
        "reading_id": {"S": "r"},
        "at": {"S": "2025-11-16T09:30:00Z"},
        "value": {"N": "1.50"},
        "tags": {"SS": ["a"]},
    }
    assert direct.read(image, {}) is not None
    assert seen == [Decimal("1.50"), frozenset({"a"})]


class _WithModelValidator(BaseModel):
    a: str

    @model_validator(mode="after")
    def check(self) -> _WithModelValidator:
        return self


class _WithPostInit(BaseModel):
    a: str

    def model_post_init(self, context: Any, /) -> None:
        del context


class _WithPrivate(BaseModel):
    a: str
    _seen: int = PrivateAttr(default=0)


class _ExtraAllowed(BaseModel):
    model_config = ConfigDict(extra="allow")
    a: str


class _ExtraForbidden(BaseModel):
    model_config = ConfigDict(extra="forbid")
    a: str


class _DefaultsValidated(BaseModel):
    model_config = ConfigDict(validate_default=True)
    a: str = "x"


class _OwnValidationAlias(BaseModel):
    a: str = Field(validation_alias=AliasChoices("a", "b"))


class _ByNameUnderAnAlias(BaseModel):
    """``tags`` is found by its name too: two walks read it there when ``tg`` is absent."""

    model_config = ConfigDict(populate_by_name=True)
    other: frozenset[str] = Field(frozenset(), alias="tags")
    tags: frozenset[str] = Field(frozenset(), alias="tg")


class _NotByAlias(BaseModel):
    model_config = ConfigDict(validate_by_alias=False, validate_by_name=True)
    a: str = Field(alias="b")


_TwoFieldsOneAttribute = create_model(
    "_TwoFieldsOneAttribute", a=(str, Field("d", alias="b")), b=(str, "e")
)


class _OwnNew(BaseModel):
    a: str

    def __new__(cls, *args: Any, **kwargs: Any) -> _OwnNew:  # noqa: PYI034
        del args
        if not kwargs:
            raise TypeError("construct me with fields")
        return super().__new__(cls)


@pytest.mark.parametrize(
    "model",
    [
        _WithModelValidator,
        _WithPostInit,
        _WithPrivate,
        _ExtraAllowed,
        _ExtraForbidden,
        _DefaultsValidated,
        _OwnValidationAlias,
        _ByNameUnderAnAlias,
        pytest.param(
            _NotByAlias,
            marks=pytest.mark.skipif(
                "validate_by_alias" not in ConfigDict.__annotations__,
                reason="validate_by_alias is pydantic 2.11's",
            ),
        ),
        _TwoFieldsOneAttribute,
        _OwnNew,
    ],
)
def test_models_whose_validation_is_more_than_their_fields_take_two_walks(
    model: type[BaseModel],
) -> None:
    assert DirectRead.of(model) is None


@given(st.sampled_from(["paid", "shipped", "placed"]), st.booleans())
def test_an_alias_is_read_under_its_own_name(status: str, by_name: bool) -> None:  # noqa: FBT001
    class Aliased(BaseModel):
        status: str = Field(alias="Status")

    direct = DirectRead.of(Aliased)
    assert direct is not None
    image = {"status" if by_name else "Status": {"S": status}}
    read = direct.read(image, {})
    # Only the stored name is read, as the two walks read it: never the field's own name.
    assert read == (None if by_name else ({"status": status}, {"status"}))
