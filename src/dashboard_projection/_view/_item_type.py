"""The typed dashboard item a view derives from the user's model, for reading items back."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, create_model

from dashboard_projection._view._layout import (
    PARTITION_KEY,
    SORT_KEY,
    TTL_ATTRIBUTE,
    Layout,
    copied_names,
)
from dashboard_projection._view._validation import fields_by_stored_name

if TYPE_CHECKING:
    from dashboard_projection._view._declaration import DashboardView


def derive_item_type(view: DashboardView[Any, Any], layout: Layout) -> type[BaseModel]:
    """A frozen pydantic model of the view's dashboard items, from the user's own field types."""
    by_stored = {name: info for name, (_, info) in fields_by_stored_name(view.model).items()}
    definitions: dict[str, Any] = {
        PARTITION_KEY: (str, ...),
        SORT_KEY: (str, ...),
        layout.time_attribute: (str, ...),
        TTL_ATTRIBUTE: (int, ...),
    }
    for name in copied_names(view):
        annotation: Any = by_stored[name].annotation
        required = name in view.key or name == view.timestamp
        definitions[name] = (annotation, ...) if required else (annotation | None, None)
    for derived in (layout.member_attribute, layout.combined_attribute):
        if derived is not None:
            definitions[derived] = (str | None, None)
    item_type: type[BaseModel] = create_model(
        f"{view.model.__name__}DashboardItem",
        # A user's field may start with "model_" (pydantic before 2.10 warns of those)
        __config__=ConfigDict(frozen=True, extra="ignore", protected_namespaces=()),
        **definitions,
    )
    return item_type
