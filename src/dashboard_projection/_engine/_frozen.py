"""Frozen dataclasses built once per record or operation, at the cost of a plain one.

A frozen dataclass's generated ``__init__`` sets each field with ``object.__setattr__``, which
costs twice as much as storing it; for the few classes built thousands of times per batch
(stream records, puts, deletes), an ``__init__`` that stores through the slots' own
descriptors keeps them frozen (assignment still raises ``FrozenInstanceError``) and cheap.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from typing import Any


def slot_setters(cls: type) -> tuple[Callable[[Any, Any], None], ...]:
    """A setter per field of the slotted dataclass ``cls``, in field order.

    Each stores into the slot directly, past the class's ``__setattr__`` (which a frozen
    dataclass makes raise): for its own ``__init__`` only.
    """
    return tuple(cls.__dict__[field.name].__set__ for field in fields(cls))
