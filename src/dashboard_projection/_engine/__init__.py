"""The generic engine: codec, stream records, write plans, processor, sinks, handler.

It knows nothing of any dashboard's schema: a view (or any ``Projection``) says what a record
implies.
"""
