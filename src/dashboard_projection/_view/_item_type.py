"""The typed dashboard item a view derives from the user's model, for reading items back."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, create_model

from dashboard_projection._view._layout import PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE, Layout

if TYPE_CHECKING:
    from dashboard_projection._view._declaration import DashboardView


def derive_item_type(view: DashboardView[Any, Any], layout: Layout) -> type[BaseModel]:
    """A frozen pydantic model of the view's dashboard items, from the user's own field types."""
    fields = view.model.model_fields
    by_stored = {info.alias or name: info for name, info in fields.items()}
    definitions: dict[str, Any] = {
        PARTITION_KEY: (str, ...),
        SORT_KEY: (str, ...),
        layout.time_attribute: (str, ...),
        TTL_ATTRIBUTE: (int, ...),
    }
    for name in dict.fromkeys((*view.key, view.timestamp, *view.copy)):
        annotation = by_stored[name].annotation
        required = name in view.key or name == view.timestamp
        definitions[name] = (annotation, ...) if required else (annotation | None, None)
    for derived in (layout.member_attribute, layout.combined_attribute):
        if derived is not None:
            definitions[derived] = (str | None, None)
    item_type: type[BaseModel] = create_model(
        f"{view.model.__name__}DashboardItem",
        __config__=ConfigDict(frozen=True, extra="ignore"),
        **definitions,
    )
    return item_type
