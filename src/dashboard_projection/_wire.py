"""The stream path: a ``NewImage`` straight to the DynamoDB JSON of its dashboard items.

Decoding a whole image into Python, validating it with pydantic, projecting and re-encoding
every attribute of every item costs about as much as the seed's boto3 path. Most of that work is
unnecessary: the attributes the dashboard copies (``source_id``, ``source_url``, the tag set…)
already are DynamoDB JSON, so they only need their shape checked, and can be passed through
untouched; only the attributes that keys are derived from (``ingested_at``, ``sentiment``,
``score``, ``matched_tags``) are decoded and validated.

Anything the fast path is not sure about is handed to :class:`PrimaryItem` and :func:`project`,
which either accept it (and produce the same items) or raise the precise error. Attributes the
dashboard does not project (``metadata``, ``model_version``, unknown ones) are not decoded here.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from dashboard_projection._keys import MAX_SORT_KEY_BYTES, base_item_key, tag_item_key
from dashboard_projection._rules import DEFAULT_MAX_TAGS, SENTIMENTS
from dashboard_projection._time import utc_instant_of
from dashboard_projection._types import AttributeValue, WireItem

WireDict = dict[str, AttributeValue]
_COPIED_STRINGS = ("source_type", "source_url", "text_snippet")
# Validated like the model does, though not projected: a record is valid or not whatever path
# it takes. (Attributes the model does not know are ignored by both paths, undecoded.)
_CHECKED_STRINGS = (*_COPIED_STRINGS, "status", "model_version")
_PLAIN_NUMBER_CHARS = "0123456789."
_MAX_PLAIN_NUMBER_LEN = 38
_CENT = Decimal("0.01")
_UTF8_MAX_BYTES_PER_CHAR = 4


def wire_items(
    image: WireItem, *, expires: int, max_tags: int = DEFAULT_MAX_TAGS, path: str = "NewImage"
) -> list[WireDict]:
    """The dashboard items of a primary item's image, in DynamoDB JSON: base item first.

    Equal, attribute for attribute, to ``[serialize_item(i) for i in project(PrimaryItem
    .from_image(image), ...)]`` with the same ``expires``, for every image that path accepts.

    Raises:
        DeserializationError: An attribute the projection uses is malformed DynamoDB JSON.
        ItemValidationError: The image is not a valid primary item.
    """
    items = _fast_wire_items(image, expires, max_tags)
    if items is None:
        # Rare, so the models are imported only now: the stream path's cold start stays light.
        from dashboard_projection._models import PrimaryItem  # noqa: PLC0415
        from dashboard_projection._projection import base_item, fan_out  # noqa: PLC0415

        item = PrimaryItem.from_image(image, max_tags=max_tags, path=path)
        base = base_item(item, expires=expires)
        items = [dashboard.to_wire() for dashboard in (base, *fan_out(base))]
    return items


def _text(image: WireItem, name: str) -> str | None:
    """The attribute's string if it is exactly ``{"S": <non-empty str>}``, else ``None``."""
    value = image.get(name)
    if type(value) is dict and len(value) == 1:
        text = value.get("S")
        if type(text) is str and text:
            return text
    return None


def _fast_wire_items(image: WireItem, expires: int, max_tags: int) -> list[WireDict] | None:
    """The common, well-formed case; ``None`` means "not sure: ask the model"."""
    source_id = _text(image, "source_id")
    ingested_at = _text(image, "ingested_at")
    sentiment = _text(image, "sentiment")
    score = _score(image.get("score"))
    instant = _utc_instant(ingested_at)
    tags = _tags(image.get("matched_tags"), max_tags)
    if (
        source_id is None
        or ingested_at is None
        or instant is None
        or sentiment not in SENTIMENTS
        or score is None
        or tags is None
    ):
        return None
    for name in _CHECKED_STRINGS:
        if not _is_string_or_absent(image.get(name)):
            return None
    metadata = image.get("metadata")
    if metadata is not None and not _is_map_of_strings(metadata):
        return None
    shared: WireDict = {
        "day_partition": {"S": instant[:10]},
        "source_id": image["source_id"],
        "ingested_at": image["ingested_at"],
        "ingested_at_utc": {"S": instant},
        "sentiment": image["sentiment"],
        "score": image["score"],
        "expires_at": {"N": str(expires)},
    }
    for name in _COPIED_STRINGS:
        if name in image:
            shared[name] = image[name]
    if tags:
        shared["matched_tags"] = image["matched_tags"]
    keys = [base_item_key(instant, ingested_at, source_id)]
    keys += [tag_item_key(tag, instant, ingested_at, source_id) for tag in tags]
    if max(map(len, keys)) * _UTF8_MAX_BYTES_PER_CHAR > MAX_SORT_KEY_BYTES and not all(
        len(key.encode()) <= MAX_SORT_KEY_BYTES for key in keys
    ):
        return None
    cents = score.quantize(_CENT, rounding=ROUND_HALF_UP).copy_abs()
    items = [
        {
            **shared,
            "item_key": {"S": keys[0]},
            "sentiment_score_combined": {"S": f"{sentiment}#{cents}"},
        }
    ]
    items += [
        {**shared, "item_key": {"S": key}, "tag": {"S": tag}}
        for key, tag in zip(keys[1:], tags, strict=True)
    ]
    return items


def _is_string_or_absent(value: object) -> bool:
    return value is None or (
        type(value) is dict and len(value) == 1 and type(value.get("S")) is str
    )


def _is_map_of_strings(value: object) -> bool:
    """``{"M": {...}}`` whose members are all plain strings: what the model's Metadata accepts."""
    if type(value) is not dict or len(value) != 1:
        return False
    members = value.get("M")
    return type(members) is dict and all(
        _is_string_or_absent(member) and member is not None for member in members.values()
    )


def _score(value: object) -> Decimal | None:
    """A plain decimal in [0, 1] (``0.72``); anything else goes to the model."""
    if type(value) is not dict or len(value) != 1:
        return None
    text = value.get("N")
    if (
        type(text) is not str
        or len(text) > _MAX_PLAIN_NUMBER_LEN
        or text.strip(_PLAIN_NUMBER_CHARS)
    ):
        return None
    try:
        score = Decimal(text)
    except InvalidOperation:
        return None
    return score if score <= 1 else None


def _utc_instant(ingested_at: str | None) -> str | None:
    """The fixed-width UTC instant of an ISO-8601 timestamp with an offset, else ``None``."""
    if ingested_at is None:
        return None
    try:
        return utc_instant_of(ingested_at)
    except ValueError:
        return None


def _tags(value: object, max_tags: int) -> Sequence[str] | None:
    """Sorted distinct non-empty tags of an ``SS`` (or none when absent); ``None`` if unsure."""
    if value is None:
        return ()
    if type(value) is not dict or len(value) != 1:
        return None
    tags: Any = value.get("SS")
    if type(tags) is not list or not tags or len(tags) > max_tags:
        return None
    try:
        "".join(tags)  # every element a str, checked in C
    except TypeError:
        return None
    if "" in tags or len(set(tags)) != len(tags):
        return None
    return sorted(tags)
