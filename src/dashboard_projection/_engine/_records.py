"""Lambda's DynamoDB Streams event as typed records; a malformed record is an error, not a crash."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from dashboard_projection._engine._frozen import slot_setters
from dashboard_projection._errors import InvalidInputError
from dashboard_projection._types import WireItem

EventName = Literal["INSERT", "MODIFY", "REMOVE"]
_EVENT_NAMES = ("INSERT", "MODIFY", "REMOVE")
_TTL_PRINCIPAL = "dynamodb.amazonaws.com"


@dataclass(frozen=True, slots=True, init=False)
class StreamRecord:
    """One DynamoDB Streams record, as much as the projection and the failure report need.

    Attributes:
        event_id: ``eventID``, for logs.
        event_name: INSERT, MODIFY or REMOVE.
        sequence_number: ``dynamodb.SequenceNumber``: what Lambda resumes from on failure.
        keys: ``dynamodb.Keys``, the primary item's key (DynamoDB JSON).
        new_image: ``dynamodb.NewImage`` (absent on REMOVE).
        old_image: ``dynamodb.OldImage`` (absent on INSERT).
        is_ttl_delete: A REMOVE made by DynamoDB's TTL process, not by a user.
    """

    event_id: str
    event_name: EventName
    sequence_number: str
    keys: WireItem
    new_image: WireItem | None = None
    old_image: WireItem | None = None
    is_ttl_delete: bool = False

    def __init__(  # noqa: PLR0913, PLR0917 - the seven fields, as a dataclass takes them
        self,
        event_id: str,
        event_name: EventName,
        sequence_number: str,
        keys: WireItem,
        new_image: WireItem | None = None,
        old_image: WireItem | None = None,
        is_ttl_delete: bool = False,  # noqa: FBT001, FBT002 - a field, positional as generated
    ) -> None:
        """The dataclass's own ``__init__``, storing through the slots (see ``_frozen``).

        A frozen dataclass's generated one makes an ``object.__setattr__`` call per field,
        which costs twice as much; this runs once per record of every batch.
        """
        _set_event_id(self, event_id)
        _set_event_name(self, event_name)
        _set_sequence_number(self, sequence_number)
        _set_keys(self, keys)
        _set_new_image(self, new_image)
        _set_old_image(self, old_image)
        _set_is_ttl_delete(self, is_ttl_delete)

    @classmethod
    def from_lambda_record(cls, raw: object, *, index: int = 0) -> StreamRecord:
        """Type one record of a Lambda event (e.g. Powertools' ``record.raw_event``).

        Args:
            raw: The record as Lambda delivered it.
            index: Its position in the batch, for error messages (``Records[3]``).

        Raises:
            InvalidInputError: A required envelope field is missing or of the wrong type.
        """
        return parse_record(raw, index)


(
    _set_event_id,
    _set_event_name,
    _set_sequence_number,
    _set_keys,
    _set_new_image,
    _set_old_image,
    _set_is_ttl_delete,
) = slot_setters(StreamRecord)


def records_of(event: object) -> list[object]:
    """The raw records of a Lambda event.

    Raises:
        InvalidInputError: ``event`` is not a stream event (no ``Records`` list).
    """
    records = event.get("Records") if isinstance(event, Mapping) else None
    if not isinstance(records, list):
        raise InvalidInputError("expected a Lambda event with a list of Records", path="event")
    return records


def parse_record(raw: object, index: int) -> StreamRecord:
    """Check one raw record's envelope and type it; images are validated later, by the projection.

    Runs once per record of every batch: a ``type() is dict`` test goes before each
    ``isinstance()`` against an ABC, and error paths are only spelled out on an error.

    Raises:
        InvalidInputError: A required envelope field is missing or of the wrong type.
    """
    if type(raw) is not dict and not isinstance(raw, Mapping):
        raise InvalidInputError("expected a stream record object", path=f"Records[{index}]")
    body = raw.get("dynamodb")
    if type(body) is not dict and not isinstance(body, Mapping):
        raise InvalidInputError("expected a 'dynamodb' object", path=f"Records[{index}].dynamodb")
    name = raw.get("eventName")
    if name not in _EVENT_NAMES:
        raise InvalidInputError(
            f"expected INSERT, MODIFY or REMOVE, got {name!r}", path=f"Records[{index}].eventName"
        )
    sequence = body.get("SequenceNumber")
    if not isinstance(sequence, str) or not sequence:
        raise InvalidInputError(
            "expected a SequenceNumber string", path=f"Records[{index}].dynamodb.SequenceNumber"
        )
    keys, new_image, old_image = body.get("Keys"), body.get("NewImage"), body.get("OldImage")
    if not (
        (keys is None or type(keys) is dict)
        and (new_image is None or type(new_image) is dict)
        and (old_image is None or type(old_image) is dict)
    ):
        _check_images(index, Keys=keys, NewImage=new_image, OldImage=old_image)
    identity = raw.get("userIdentity")
    return StreamRecord(
        str(raw.get("eventID", "")),
        name,
        sequence,
        keys or {},
        new_image,
        old_image,
        identity is not None
        and isinstance(identity, Mapping)
        and identity.get("type") == "Service"
        and identity.get("principalId") == _TTL_PRINCIPAL,
    )


def _check_images(index: int, **images: object) -> None:
    """Refuse an image that is not an object of attributes (a dict subclass is one)."""
    for part, image in images.items():
        if image is not None and not isinstance(image, dict):
            raise InvalidInputError(
                "expected an object of attributes", path=f"Records[{index}].dynamodb.{part}"
            )
