"""Peak memory of one invocation on one event, measured in a fresh process.

Run by ``run.py`` as ``python benchmarks/rss_child.py EVENT.json``; prints one JSON object.
The peak RSS is a high-water mark, so it is read after the imports, after the event is loaded
(from JSON bytes, as the Lambda runtime does) and after processing: the last minus the second is
what processing adds on top of the event Lambda already holds.
"""

from __future__ import annotations

import gc
import json
import resource
import sys
from pathlib import Path
from typing import Any

import dashboard_projection
from dashboard_projection._sentiment._keys import KEY_ATTRIBUTES
from paths import NOW, records_to_wire


def _max_rss_mb() -> float:
    """Peak RSS of this process so far, in MiB.

    ``VmHWM`` rather than ``ru_maxrss``: Linux carries ``ru_maxrss`` over ``exec`` from a forked
    parent, so a child of the (large) benchmark process would report the parent's size.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def _process(event: dict[str, Any]) -> tuple[str, object]:
    """The handler's own entry point once it exists, else the validated path over the records."""
    process = getattr(dashboard_projection, "process_stream_event", None)
    sink_type = getattr(dashboard_projection, "InMemorySink", None)
    if process is None or sink_type is None:
        return "records_to_wire", records_to_wire(event["Records"], NOW)
    sink = sink_type(KEY_ATTRIBUTES)
    response = process(event, sink, now=NOW, metrics=False)  # metrics would print to stdout
    return "process_stream_event", (response, sink)


def main() -> None:
    imports = _max_rss_mb()
    payload = Path(sys.argv[1]).read_bytes()
    event = json.loads(payload)
    del payload
    gc.collect()
    loaded = _max_rss_mb()
    path, _result = _process(event)  # held until the peak is read
    peak = _max_rss_mb()
    print(
        json.dumps(
            {
                "path": path,
                "records": len(event["Records"]),
                "rss_imports_mb": round(imports, 1),
                "rss_event_mb": round(loaded, 1),
                "rss_peak_mb": round(peak, 1),
                "processing_mb": round(peak - loaded, 1),
                "boto3_imported": "boto3" in sys.modules,
            }
        )
    )


if __name__ == "__main__":
    main()
