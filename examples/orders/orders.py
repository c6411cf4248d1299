"""Another team's table: an orders dashboard, declared in a few lines (docs/your-dashboard.md)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from dashboard_projection import CombinedKey, DashboardView, FanOut, ShownWhen


class Order(BaseModel):
    """An item of the ``orders`` table, whose key is (``order_id``, ``created_at``)."""

    order_id: str = Field(min_length=1)
    created_at: str  # ISO-8601 with an offset: 2025-11-16T09:30:00+01:00
    status: Literal["placed", "paid", "shipped", "cancelled"]
    total: Annotated[Decimal, Field(ge=0, le=Decimal("99999.99"), decimal_places=2)]
    categories: frozenset[str] = frozenset()
    customer_id: str
    region: str


orders = DashboardView(
    model=Order,
    key=("order_id", "created_at"),
    timestamp="created_at",  # UTC day partition, time order
    shown=ShownWhen("status", "paid", "shipped"),  # placed: not yet; cancelled: gone
    fan_out=FanOut("categories", attribute="category"),  # one copy per category
    combined=CombinedKey("status", "total", places=2, max_value=Decimal("99999.99")),
    copy=("customer_id", "status", "total", "region"),
    ttl=timedelta(days=30),
)
