"""The orders dashboard's Lambda: DASHBOARD_TABLE_NAME names the table; the rest is declared."""

from __future__ import annotations

from orders import orders

from dashboard_projection import make_handler

lambda_handler = make_handler(orders)
