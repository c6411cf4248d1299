"""``recount``: the counters recomputed from the dashboard table; drift reported, ``--fix``ed.

Exit 0 when the counters agree with the dashboard (or were repaired), 1 when some drifted and
``--fix`` was not given. See ``docs/counters.md`` for when a repair is safe (pause the stream).
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from dashboard_projection._cli._aws import connect, require_table
from dashboard_projection._cli._console import counted, note, say
from dashboard_projection._cli._errors import FAILURE, CliError
from dashboard_projection._cli._view import load_counters
from dashboard_projection._counters._recount import Drift, recount, repair

if TYPE_CHECKING:
    import argparse
    from decimal import Decimal


def command(args: argparse.Namespace) -> int:
    """Recount the days asked for; print each drifted counter; repair with ``--fix``."""
    counters = load_counters(args.counters)
    aws = connect(args.endpoint_url, args.region)
    for table in (args.table, args.counters_table):
        require_table(aws, table)
    now: datetime = args.now or datetime.now(UTC)
    today = now.date()
    # By default the days whose dashboard items may all still be there (see the module).
    last: date = args.last or today
    first: date = args.first or last - timedelta(days=_days_kept(counters.view.ttl) - 1)
    if last < first:
        raise CliError(f"--from {first} is after --to {last}")
    found = recount(
        counters,
        aws.dynamodb,
        counters_table=args.counters_table,
        dashboard_table=args.table,
        first=first,
        last=last,
    )
    for drifted in found.drifts:
        say(_line(counters.sums, drifted))
    span = f"{first.isoformat()} to {last.isoformat()}"
    if not found.drifts:
        if not found.dashboard and not found.counted:
            note(f"nothing to recount, {span}: no dashboard items and no counters on those days")
        agree = "agrees" if len(found.recounted) == 1 else "agree"
        say(f"{counted(len(found.recounted), 'counter')} {agree} with the dashboard, {span}")
        return 0
    how_many = counted(len(found.drifts), "counter")
    if not args.fix:
        differ = "differs" if len(found.drifts) == 1 else "differ"
        raise CliError(
            f"{how_many} {differ} from the dashboard, {span}: rerun with --fix",
            where=args.counters_table,
            exit_code=FAILURE,
        )
    written = repair(counters, aws.dynamodb, args.counters_table, found, now=now)
    say(f"repaired {how_many}, {span}: {counted(written, 'item')} written or deleted")
    return 0


def _days_kept(ttl: timedelta) -> int:
    """Days whose dashboard items may all still be there: the TTL in days, rounded up."""
    return max(math.ceil(ttl / timedelta(days=1)), 1)


def _line(sums: tuple[str, ...], drifted: Drift) -> str:
    counted, recounted = _amounts(sums, drifted.counted), _amounts(sums, drifted.recounted)
    return f"{drifted.counter}: counted {counted}, recounted {recounted}"


def _amounts(sums: tuple[str, ...], values: tuple[Decimal, ...]) -> str:
    named = [f"sum_{name}={value}" for name, value in zip(sums, values[1:], strict=True)]
    return " ".join([f"count={values[0]}", *named])
