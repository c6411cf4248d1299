"""Type aliases for DynamoDB JSON as it appears in stream events and on the wire."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeAlias

#: One attribute value in DynamoDB JSON, e.g. ``{"S": "neutral"}`` or ``{"N": "0.72"}``.
AttributeValue: TypeAlias = Mapping[str, Any]
#: An item (or image, or key) in DynamoDB JSON: attribute name to attribute value.
WireItem: TypeAlias = Mapping[str, AttributeValue]
