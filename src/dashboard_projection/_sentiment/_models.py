"""Pydantic models of a primary item (what the stream carries) and a dashboard item (what we write).

Both models are frozen, and every way of validating them (the constructor, ``model_validate``,
``PrimaryItem.from_image``) raises :class:`ItemValidationError` with the field path, never
pydantic's own error type, so that callers catch one hierarchy.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal, Self, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
)

from dashboard_projection._engine._codec import deserialize_known
from dashboard_projection._engine._encode import serialize_value
from dashboard_projection._engine._limits import MAX_SORT_KEY_BYTES
from dashboard_projection._errors import ItemValidationError, SerializationError
from dashboard_projection._sentiment._keys import base_item_key, tag_item_key
from dashboard_projection._types import AttributeValue, WireItem
from dashboard_projection._view._rules import DEFAULT_MAX_TAGS
from dashboard_projection._view._time import parse_instant
from dashboard_projection._view._validation import decoding_tags, raise_as_ours

_INSTANT_WIDTH = len("2025-11-16T14:30:15.000000Z")
# A score in [0, 1] with this few digits is at least 1E-20: within every limit of DynamoDB's.
_SHORT_NUMBER_DIGITS = 20
_MIN_ADJUSTED = -130  # 1E-130, the smallest magnitude DynamoDB stores

Sentiment = Literal["positive", "neutral", "negative"]
NonEmptyStr = Annotated[str, Field(min_length=1)]
ModelT = TypeVar("ModelT", bound="_Model")


def _exact_and_storable(value: object) -> object:
    """Refuse floats, and numbers DynamoDB cannot store (one Python call per score, not two).

    0.265 as a float is 0.26500000000000001243...; DynamoDB keeps 38 significant digits and
    nothing below 1E-130. Text is read as a number here, so that it is checked too.
    """
    number = value
    if type(value) is not Decimal:  # the stream's case first: a decoded score is a Decimal
        if isinstance(value, float):
            raise ValueError("expected an exact decimal (Decimal, int or str), not a float")
        if isinstance(value, str):
            try:
                number = Decimal(value)
            except InvalidOperation:
                return value  # pydantic says what is wrong with it
    if isinstance(number, Decimal) and number.is_finite() and _long_or_tiny(number):
        try:
            serialize_value(number)
        except SerializationError as exc:
            raise ValueError(exc.reason) from None
    return number


def _long_or_tiny(number: Decimal) -> bool:
    """More than 20 digits, or below 1E-130: the scores whose storability is worth checking.

    Every digit shows in ``str()``, so a short text settles it without ``as_tuple()`` (which
    costs several times more).
    """
    if number.adjusted() < _MIN_ADJUSTED:
        return True
    return (
        len(str(number)) > _SHORT_NUMBER_DIGITS
        and len(number.as_tuple().digits) > _SHORT_NUMBER_DIGITS
    )


# The constraints before the validator: pydantic then checks them in its Rust decimal validator.
# After it, each would be one more Python call per validation (three, a microsecond a score).
Score = Annotated[
    Decimal,
    Field(ge=0, le=1, allow_inf_nan=False),
    BeforeValidator(_exact_and_storable),
]


class _Model(BaseModel):
    """Frozen, strict about unknown types, and raising :class:`ItemValidationError`."""

    # protected_namespaces: model_version is a field (pydantic before 2.10 warns of "model_")
    model_config = ConfigDict(
        frozen=True, extra="ignore", allow_inf_nan=False, protected_namespaces=()
    )

    # Overrides, not a "wrap" model validator: those run in Python on every validation, and
    # these run only when there is an error to translate.
    def __init__(self, **data: Any) -> None:  # noqa: ANN401
        """Validate ``data``; raise :class:`ItemValidationError`, never pydantic's error."""
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise raise_as_ours(exc, "") from None
        self._check({})

    # Tells pydantic (as its own BaseModel and RootModel do) that this __init__ only validates,
    # so model_validate need not call it: validation stays in pydantic-core.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    @classmethod
    def model_validate(cls, obj: Any, **options: Any) -> Self:  # noqa: ANN401
        """Pydantic's ``model_validate``, raising :class:`ItemValidationError`.

        The error's path starts with the validation context's ``path``, if any.
        """
        return _ours(super().model_validate, obj, options)

    @classmethod
    def model_validate_json(cls, json_data: str | bytes, **options: Any) -> Self:  # type: ignore[override]  # noqa: ANN401
        """Pydantic's ``model_validate_json``, raising :class:`ItemValidationError`."""
        return _ours(super().model_validate_json, json_data, options)

    @classmethod
    def model_validate_strings(cls, obj: Any, **options: Any) -> Self:  # noqa: ANN401
        """Pydantic's ``model_validate_strings``, raising :class:`ItemValidationError`."""
        return _ours(super().model_validate_strings, obj, options)

    def _check(self, context: Mapping[str, Any]) -> None:
        """What a valid instance must also satisfy, beyond its fields; nothing by default.

        Checked by the constructors above, after pydantic; not by pydantic itself (as a model
        validator would be), so that a view, which checks the same itself, validates without a
        Python call per record.

        Raises:
            ItemValidationError: Naming the path, from the context's ``path``.
        """


def _ours(validate: Callable[..., ModelT], data: object, options: dict[str, Any]) -> ModelT:
    context = options.get("context")
    context = context if isinstance(context, Mapping) else {}
    try:
        item = validate(data, **options)
    except ValidationError as exc:
        raise raise_as_ours(exc, str(context.get("path", ""))) from None
    item._check(context)  # noqa: SLF001 - _Model's own hook
    return item


class Metadata(BaseModel):
    """The primary item's nested ``metadata`` map; every field optional, unknown ones ignored."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    author: str | None = None
    title: str | None = None
    published_at: str | None = None
    source_name: str | None = None


class PrimaryItem(_Model):
    """An analyzed item of the primary table, validated for projection.

    ``ingested_at`` is kept exactly as written (it is part of the primary key); its instant is
    :attr:`ingested_instant`. Validation also bounds what one item can cost downstream: at most
    ``max_tags`` tags (default :data:`DEFAULT_MAX_TAGS`, set through the validation context), and
    every key the projection derives fits DynamoDB's key size limits.
    """

    source_id: NonEmptyStr
    ingested_at: NonEmptyStr
    sentiment: Sentiment
    score: Score
    status: str | None = None
    source_type: str | None = None
    source_url: str | None = None
    text_snippet: str | None = None
    model_version: str | None = None
    matched_tags: frozenset[NonEmptyStr] = frozenset()
    metadata: Metadata | None = None

    def _check(self, context: Mapping[str, Any]) -> None:
        """The instant, the tag cap and the key sizes: every check pydantic cannot make itself.

        Made by ``PrimaryItem(...)``, ``model_validate*`` and :meth:`from_image`; a
        ``DashboardView`` validating the model makes the same checks itself (it derives the
        instant and the keys anyway), so it validates with pydantic alone.
        """
        path = str(context.get("path", ""))
        try:
            parse_instant(self.ingested_at)
        except ValueError as exc:
            where = f"{path}.ingested_at" if path else "ingested_at"
            raise ItemValidationError(str(exc), path=where) from None
        max_tags = int(context.get("max_tags", DEFAULT_MAX_TAGS))
        if len(self.matched_tags) > max_tags:
            raise ItemValidationError(
                f"matched_tags has {len(self.matched_tags)} tags; at most {max_tags} allowed "
                "(each tag is one more dashboard item to write)",
                path=f"{path}.matched_tags" if path else "matched_tags",
            )
        try:
            _check_key_sizes(self)
        except ValueError as exc:  # also UnicodeEncodeError: a lone surrogate has no UTF-8
            raise ItemValidationError(str(exc), path=path) from None

    @property
    def ingested_instant(self) -> datetime:
        """``ingested_at`` parsed, with its original offset.

        Parsed on each access, not cached: ``model_copy(update={"ingested_at": ...})`` copies
        the instance dict, so a cached instant would outlive the ``ingested_at`` it came from.
        """
        return parse_instant(self.ingested_at)

    @classmethod
    def from_image(
        cls, image: WireItem, *, max_tags: int = DEFAULT_MAX_TAGS, path: str = "NewImage"
    ) -> PrimaryItem:
        """Decode and validate a stream image (DynamoDB JSON).

        Raises:
            DeserializationError: The image is malformed DynamoDB JSON.
            ItemValidationError: It decodes, but is not a valid primary item.
        """
        # Unknown attributes are ignored, so they are not even decoded (the stream path agrees).
        if isinstance(image, Mapping) and type(image) is not dict:
            image = dict(image)
        data = deserialize_known(image, _STORED_AS, path=path)
        return cls.model_validate(data, context={"max_tags": max_tags, "path": path})


_STORED_AS = decoding_tags(PrimaryItem)  # score N, matched_tags SS, metadata M, the rest S


def _check_key_sizes(item: PrimaryItem) -> None:
    """Reject, before any write, an item whose dashboard keys DynamoDB would refuse."""
    # The common case, without building a key: ASCII text, and room even if escaping (% and #
    # become three characters) tripled the longest tag.
    texts = [item.source_id, item.ingested_at, *item.matched_tags]
    longest_tag = max(map(len, item.matched_tags), default=0)
    fixed = len(item.source_id) + len(item.ingested_at) + _INSTANT_WIDTH + len("base#tag###")
    if all(map(str.isascii, texts)) and fixed + 3 * longest_tag <= MAX_SORT_KEY_BYTES:
        return
    instant = "0" * _INSTANT_WIDTH
    keys = [base_item_key(instant, item.ingested_at, item.source_id)]
    keys += [
        tag_item_key(tag, instant, item.ingested_at, item.source_id) for tag in item.matched_tags
    ]
    longest = max(keys, key=lambda key: len(key.encode()))
    size = len(longest.encode())
    if size > MAX_SORT_KEY_BYTES:
        raise ValueError(
            f"source_id, ingested_at and tags make a dashboard sort key of {size} bytes; "
            f"DynamoDB allows {MAX_SORT_KEY_BYTES} (shorten the source_id or the longest tag)"
        )


class DashboardItem(_Model):
    """One item of the dashboard table: a source item's base item, or its copy for one tag.

    Base items have ``sentiment_score_combined`` and no ``tag``; tag items the reverse. That is
    what keeps each GSI sparse, so a query returns every source item once.
    """

    day_partition: NonEmptyStr
    item_key: NonEmptyStr
    source_id: NonEmptyStr
    ingested_at: NonEmptyStr
    ingested_at_utc: NonEmptyStr
    sentiment: Sentiment
    score: Score
    expires_at: int
    sentiment_score_combined: str | None = None
    tag: str | None = None
    matched_tags: frozenset[NonEmptyStr] = frozenset()
    source_type: str | None = None
    source_url: str | None = None
    text_snippet: str | None = None

    def tag_copy(self, tag: str) -> dict[str, Any]:
        """What makes this base item its copy for ``tag``: its own key, no combined key."""
        key = tag_item_key(tag, self.ingested_at_utc, self.ingested_at, self.source_id)
        return {"item_key": key, "sentiment_score_combined": None}

    @property
    def is_base(self) -> bool:
        """Whether this is the source item's base item (not a tag copy)."""
        return self.tag is None

    def to_wire(self) -> dict[str, AttributeValue]:
        """This item in DynamoDB JSON as written: absent fields and empty sets left out."""
        return {
            name: serialize_value(value)
            for name, value in self.__dict__.items()
            if value is not None and value != frozenset()
        }
