"""Declarations other than the sentiment dashboard's, for tests of the generic view machinery.

``ORDERS``: a shop's orders, shown once paid or shipped, one copy per category, a
``status#total`` combined key in [0, 99999.99]. ``SENSORS``: sensor readings, shown while
active or degraded, one copy per alert, a ``unit#reading`` combined key over a signed range,
[-40.00, 125.00]. ``TICKETS``: a numeric key alone, an aware ``datetime`` timestamp, and every
other kind of field (an Enum, a nested model, bytes, a list, a map, a float), all shown,
removes propagated.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from orders import Order, orders
from pydantic import BaseModel, ConfigDict, Field

from dashboard_projection import CombinedKey, DashboardView, FanOut, ShownWhen, sentiment_view

ORDERS = orders  # the example of docs/your-dashboard.md
__all__ = ["ORDERS", "SENSORS", "TICKETS", "VIEWS", "Order", "Reading", "Ticket"]

NonEmpty = Annotated[str, Field(min_length=1)]


class Reading(BaseModel):
    """A reading of the primary table ``readings``: key ``sensor_id`` and ``read_at``."""

    model_config = ConfigDict(frozen=True)

    sensor_id: NonEmpty
    read_at: NonEmpty
    unit: Literal["celsius", "fahrenheit"]
    reading: Annotated[Decimal, Field(ge=Decimal("-40.00"), le=Decimal("125.00"))]
    alerts: frozenset[Literal["overheat", "freeze", "battery_low", "offline"]] = frozenset()
    battery: Annotated[int, Field(ge=0, le=100)] | None = None
    state: str = "active"


SENSORS = DashboardView(
    model=Reading,
    key=("sensor_id", "read_at"),
    timestamp="read_at",
    shown=ShownWhen("state", "active", "degraded"),
    fan_out=FanOut("alerts", attribute="alert", max_members=4),
    combined=CombinedKey(
        "unit", "reading", places=2, min_value=Decimal("-40.00"), max_value=Decimal("125.00")
    ),
    copy=("unit", "reading", "battery"),
    ttl=timedelta(hours=6),
    propagate_removes=True,
)


class Priority(StrEnum):
    """A ticket's priority."""

    LOW = "low"
    HIGH = "high"


class Owner(BaseModel):
    """Who a ticket is assigned to: a nested map."""

    name: str
    team: str | None = None


class Ticket(BaseModel):
    """A support ticket of the primary table ``tickets``: key ``ticket_no`` (a number)."""

    ticket_no: Annotated[int, Field(ge=1)]
    opened_at: datetime
    priority: Priority
    owner: Owner
    hours: float | None = None
    labels: frozenset[str] = frozenset()
    notes: list[str] = []
    attachment: bytes | None = None
    counts: dict[str, int] = {}


TICKETS = DashboardView(
    model=Ticket,
    key=("ticket_no",),
    timestamp="opened_at",
    fan_out=FanOut("labels", attribute="label"),
    copy=("priority", "owner", "attachment"),
    propagate_removes=True,
)

#: Every declaration the generic tests run over, the sentiment preset first.
VIEWS: dict[str, DashboardView[Any, Any]] = {
    "sentiment": sentiment_view(),
    "orders": ORDERS,
    "sensors": SENSORS,
    "tickets": TICKETS,
}
