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

from dashboard_projection._codec import PLAIN_MAX_LEN
from dashboard_projection._keys import BASE_PREFIX, TAG_PREFIX, escape
from dashboard_projection._limits import MAX_SORT_KEY_BYTES
from dashboard_projection._rules import CENT, DEFAULT_MAX_TAGS, SENTIMENTS
from dashboard_projection._time import utc_instant_of
from dashboard_projection._types import AttributeValue, WireItem

WireDict = dict[str, AttributeValue]
_COPIED_STRINGS = ("source_type", "source_url", "text_snippet")
# Validated like the model does, though not projected: a record is valid or not whatever path
# it takes. (Attributes the model does not know are ignored by both paths, undecoded.)
_STRING_ATTRIBUTES = (
    "source_id",
    "ingested_at",
    "sentiment",
    *_COPIED_STRINGS,
    "status",
    "model_version",
)
_PLAIN_NUMBER_CHARS = "0123456789."
_CENTS_PER_UNIT = 100


def wire_items(
    image: WireItem, *, expires: int, max_tags: int = DEFAULT_MAX_TAGS, path: str = "NewImage"
) -> list[WireDict]:
    """The dashboard items of a primary item's image, in DynamoDB JSON: base item first.

    Equal, as DynamoDB values, to ``[serialize_item(i) for i in project(PrimaryItem
    .from_image(image), ...)]`` with the same ``expires`` (set members may come in another order,
    numbers in another spelling), and it rejects exactly the images that path rejects.

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


def _fast_wire_items(image: WireItem, expires: int, max_tags: int) -> list[WireDict] | None:
    """The common, well-formed case; ``None`` means "not sure: ask the model".

    Written for speed (it runs once per record): checks are inlined rather than called.
    """
    try:
        source_id = image["source_id"]["S"]
        ingested_at = image["ingested_at"]["S"]
        sentiment = image["sentiment"]["S"]
    except (KeyError, TypeError):
        return None
    if (
        type(source_id) is not str
        or not source_id
        or sentiment not in SENTIMENTS
        or not _all_plain_strings(image)
        or not _is_plain_metadata(image.get("metadata"))
    ):
        return None
    instant = _utc_instant(ingested_at)
    cents = _cents(image.get("score"))
    tags = _tags(image.get("matched_tags"), max_tags)
    if instant is None or cents is None or tags is None:
        return None
    suffix = f"#{instant}#{ingested_at}#{source_id}"
    keys = [f"{BASE_PREFIX}{instant}#{ingested_at}#{source_id}"]
    keys += [f"{TAG_PREFIX}{escape(tag)}{suffix}" for tag in tags]
    if not _keys_fit(keys):
        return None
    shared = _shared_attributes(image, instant, expires, with_tags=bool(tags))
    # copy() and two stores: a third faster than {**shared, ...}, once per item of every record
    base = shared.copy()
    base["item_key"] = {"S": keys[0]}
    base["sentiment_score_combined"] = {"S": f"{sentiment}#{cents}"}
    items = [base]
    for key, tag in zip(keys[1:], tags, strict=True):
        item = shared.copy()
        item["item_key"] = {"S": key}
        item["tag"] = {"S": tag}
        items.append(item)
    return items


def _keys_fit(keys: list[str]) -> bool:
    """Every key within DynamoDB's sort key size in UTF-8 (and encodable: no lone surrogate)."""
    if all(map(str.isascii, keys)) and max(map(len, keys)) <= MAX_SORT_KEY_BYTES:
        return True  # the common case, without encoding anything
    try:
        return all(len(key.encode()) <= MAX_SORT_KEY_BYTES for key in keys)
    except UnicodeEncodeError:
        return False


def _shared_attributes(image: WireItem, instant: str, expires: int, *, with_tags: bool) -> WireDict:
    """What base and tag items have in common: mostly the image's own attributes, untouched."""
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
    if with_tags:
        shared["matched_tags"] = image["matched_tags"]
    return shared


def _all_plain_strings(image: WireItem) -> bool:
    """Every string attribute the model knows is absent or exactly ``{"S": <str>}``."""
    try:
        for name in _STRING_ATTRIBUTES:  # a loop, not any(<generator>): twice as fast here
            value = image.get(name)
            if value is not None and (type(value.get("S")) is not str or len(value) != 1):
                return False
    except AttributeError:  # not a dict at all
        return False
    return True


def _is_plain_metadata(value: object) -> bool:
    """Absent, or ``{"M": {...}}`` of plain strings only: what the model's Metadata accepts."""
    if value is None:
        return True
    members = value.get("M") if type(value) is dict and len(value) == 1 else None
    if type(members) is not dict:
        return False
    try:
        for member in members.values():
            if type(member.get("S")) is not str or len(member) != 1:
                return False
    except AttributeError:  # not a dict at all
        return False
    return True


def _cents(value: object) -> str | None:
    """A plain score in [0, 1] rounded half-up to two decimals, as :func:`combined_key` does.

    ``None`` for anything else (the model explains). The usual spelling, ``0.`` and digits, is
    rounded as text: half-up to cents adds one exactly when the third decimal is 5 or more.
    """
    if type(value) is not dict or len(value) != 1:
        return None
    text = value.get("N")
    if (
        type(text) is not str
        or len(text) > PLAIN_MAX_LEN
        or text.strip(_PLAIN_NUMBER_CHARS)  # digits and "." only: no sign, exponent, NaN
    ):
        return None
    if text.startswith("0.") and text[2:].isdigit():
        cents = int(text[2:4].ljust(2, "0")) + (text[4:5] >= "5")
        return "1.00" if cents == _CENTS_PER_UNIT else f"0.{cents:02d}"
    try:
        score = Decimal(text)
    except InvalidOperation:
        return None
    return str(score.quantize(CENT, rounding=ROUND_HALF_UP)) if score <= 1 else None


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
