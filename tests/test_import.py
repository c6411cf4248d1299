"""Importing the package stays cheap: no boto3, botocore or Hypothesis until one is needed."""

from __future__ import annotations

import subprocess
import sys
import textwrap

REPORT = """
import sys
loaded = {name.split(".")[0] for name in sys.modules}
print(" ".join(sorted(loaded & {"boto3", "botocore", "hypothesis"})))
"""


def heavy_imports_after(code: str) -> str:
    """Which of boto3, botocore and hypothesis a fresh interpreter has loaded after ``code``."""
    script = textwrap.dedent(code) + REPORT
    result = subprocess.run(  # noqa: S603 - our own interpreter, our own script
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def test_importing_the_package_imports_none_of_them() -> None:
    assert heavy_imports_after("import dashboard_projection") == ""


def test_decoding_and_projecting_imports_none_of_them() -> None:
    code = """
        from datetime import UTC, datetime
        import dashboard_projection as dp

        image = {
            "source_id": {"S": "s"},
            "ingested_at": {"S": "2025-11-16T14:30:15Z"},
            "sentiment": {"S": "neutral"},
            "score": {"N": "0.5"},
        }
        items = dp.project(dp.PrimaryItem.from_image(image), now=datetime.now(UTC))
        dp.serialize_item(items[0])
    """
    assert heavy_imports_after(code) == ""


def test_the_testing_module_does_import_hypothesis() -> None:
    # What the checks above would see if the package imported Hypothesis: they can fail.
    assert heavy_imports_after("import dashboard_projection.testing") == "hypothesis"
