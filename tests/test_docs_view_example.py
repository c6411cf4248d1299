"""Checking a view of your own table (this file is the second example in docs/testing.md).

``orders`` is the orders dashboard of ``examples/orders/orders.py``: the strategies draw orders
from the ``Order`` model's own field types, and one call checks the view against every law.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from orders import Order, orders

from dashboard_projection import deserialize_image
from dashboard_projection.testing import check_view_laws, stream_images

NOW = datetime(2025, 11, 17, tzinfo=UTC)


def test_the_orders_view_keeps_every_law() -> None:
    check_view_laws(orders, max_examples=20)  # raises AssertionError naming the broken law


@settings(max_examples=50)
@given(stream_images(orders))
def test_every_order_validates_and_projects(image: dict[str, Any]) -> None:
    order = Order.model_validate(deserialize_image(image))
    items = orders.project_image(image, now=NOW)
    assert bool(items) == (order.status in ("paid", "shipped"))
    assert all(item["order_id"] == image["order_id"] for item in items)


@settings(max_examples=50)
@given(stream_images(orders, fields={"status": st.sampled_from(["paid", "shipped"])}))
def test_paid_and_shipped_orders_are_on_the_dashboard(image: dict[str, Any]) -> None:
    assert orders.project_image(image, now=NOW)
