"""The declarative view: what a user declares about their table, and everything derived from it.

    _declaration   DashboardView: the declaration, and the methods users call
    _parts         ShownWhen, FanOut, CombinedKey
    _checks        every rule a declaration must follow (ConfigurationError at construction)
    _layout        the key design derived from a declaration (names, prefixes, keys)
    _validation    an image decoded once and validated with the user's model
    _build         the one implementation of the rules: a validated item to its wire items
    _operations    what one stream record implies: puts, and deletes for what is gone
    _item_type     the typed dashboard item derived from the user's model
    _table         the table definition and the TTL call
    _queries       query builders, and a paginated reader of typed dashboard items
    _rules         plain functions: day partition, combined key, TTL, escaping
    _time          instants: strict parsing, fixed-width UTC text
    _fan_out       one copy of an item per member of a set

Nothing here reads a clock (time comes in as an argument), and only the reader does I/O.
"""
