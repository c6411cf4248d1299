"""The declarative view: what a user declares about their table, and everything derived from it.

_declaration   DashboardView, FanOut, CombinedKey, ShownWhen: checked at construction
_layout        the key design derived from a declaration (names, prefixes, keys)
_validation    an image decoded once and validated with the user's model
_build         the one implementation of the rules: a validated item to its wire items
_table         the table definition and the TTL call
_queries       query builders, and a paginated reader of typed dashboard items
"""
