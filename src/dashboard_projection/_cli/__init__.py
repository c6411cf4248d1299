"""The command line: demo, replay, run, backfill, and what they share."""
