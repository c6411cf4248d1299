"""Per-day counters over a view's dashboard, kept exactly once per record (``docs/counters.md``)."""
