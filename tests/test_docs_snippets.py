"""Every ```python block of README.md and docs/*.md runs, so that no snippet can rot.

The blocks of one file run in order, in one namespace, as a reader would paste them into one
session: a later block may use what an earlier one defined. Tracebacks point at the Markdown
file and line. boto3 is pointed at the test suite's moto server through the environment
(``AWS_ENDPOINT_URL``, a region no other page or test uses, dummy credentials), so a block that
creates the table or queries it runs as written, on an empty account; ``DASHBOARD_TABLE_NAME``
is set as the Lambda's configuration would set it, and so is ``COUNTERS_TABLE_NAME``.

Two kinds of block are not run here:

* a block of ``--8<--`` includes (pymdownx.snippets) shows code from a test module, which pytest
  runs itself, or from an example under ``examples/``, which a named test module imports and
  runs (``EXAMPLES_TESTED_BY``): the test checks that every included file is one of those;
* a block that truly cannot run (a protocol's signature, say) is marked by an HTML comment on
  the line before its fence, which Markdown does not display::

      <!-- docs-test: skip (the reason) -->

Prefer making a block runnable: against ``InMemorySink`` and the bundled sample event
(``dashboard_projection/samples/sample_event.json``), or against AWS through the environment.
"""

from __future__ import annotations

import re
import sys
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
SKIP = re.compile(r"<!--\s*docs-test:\s*skip\b.*-->")
INCLUDE = "--8<--"
FENCE = re.compile(r"^```python\s*$")


@dataclass(frozen=True, slots=True)
class Block:
    """One ```python block: where it starts (the line after the fence), its code, its kind."""

    page: Path
    line: int
    code: str
    kind: str  # "run", "skip" or "include"
    before: str = ""  # the last non-blank line before the fence


def blocks_of(page: Path) -> list[Block]:
    """The page's ```python blocks, in order."""
    lines = page.read_text("utf-8").splitlines()
    found: list[Block] = []
    index = 0
    while index < len(lines):
        if not FENCE.match(lines[index]):
            index += 1
            continue
        end = next(i for i in range(index + 1, len(lines)) if lines[i].startswith("```"))
        code = "\n".join(lines[index + 1 : end])
        before = next((line for line in reversed(lines[:index]) if line.strip()), "")
        kind = "run"
        if SKIP.search(before):
            kind = "skip"
        elif code.lstrip().startswith(INCLUDE):
            kind = "include"
        found.append(Block(page, index + 2, code, kind, before))
        index = end + 1
    return found


def included_files(block: Block) -> list[Path]:
    """The files a ``--8<--`` block includes (``path`` or ``path:section``)."""
    names = []
    for line in block.code.splitlines():
        text = line.strip().removeprefix(INCLUDE).strip().strip('"')
        if text:
            names.append(REPO / text.split(":", 1)[0])
    return names


def run(block: Block, namespace: dict[str, Any]) -> None:
    """Execute ``block`` in ``namespace``; line numbers in a traceback are the page's."""
    padded = "\n" * (block.line - 1) + block.code
    exec(compile(padded, str(block.page), "exec"), namespace)  # noqa: S102 - our own docs


#: moto keeps one state per process, per account and region: each page gets a region of its
#: own (and none the other tests use), so that it starts with no tables, as a reader would.
REGIONS = (
    "eu-north-1",
    "eu-south-1",
    "ap-south-1",
    "ap-northeast-3",
    "ca-central-1",
    "sa-east-1",
    "af-south-1",
    "me-south-1",
    "ap-east-1",
    "eu-west-3",
    "ap-southeast-2",
    "eu-central-2",
    "il-central-1",
    "ap-south-2",
)


def use_aws_at(endpoint: str, region: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """boto3, configured from the environment as in Lambda, talks to ``endpoint``."""
    for name in ("AWS_PROFILE", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    monkeypatch.setenv("AWS_DEFAULT_REGION", region)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "docs")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "docs")
    monkeypatch.setenv("DASHBOARD_TABLE_NAME", "sentiment-items-dashboard")
    monkeypatch.setenv("COUNTERS_TABLE_NAME", "sentiment-items-counters")


RUNNABLE = [page for page in PAGES if any(b.kind == "run" for b in blocks_of(page))]
#: Example modules the docs include, and the test module that imports and runs each.
EXAMPLES_TESTED_BY = {
    "examples/orders/orders.py": "test_view_orders.py",
    "examples/orders/orders_lambda.py": "test_view_orders.py",
    "tests/views.py": "test_testing_views.py",
}


@pytest.mark.integration
@pytest.mark.parametrize("page", RUNNABLE, ids=[page.name for page in RUNNABLE])
def test_every_python_block_of_the_page_runs(
    page: Path, moto_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_aws_at(moto_endpoint, REGIONS[RUNNABLE.index(page)], monkeypatch)
    # A real module, so that what needs one (dataclasses, pickling) finds it in sys.modules.
    module = types.ModuleType(f"docs_{page.stem.replace('-', '_')}")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    for block in blocks_of(page):
        if block.kind == "run":
            run(block, module.__dict__)


def test_every_page_has_a_region_of_its_own() -> None:
    assert len(RUNNABLE) <= len(REGIONS)


def test_included_blocks_are_test_modules_pytest_runs() -> None:
    includes = [block for page in PAGES for block in blocks_of(page) if block.kind == "include"]
    assert includes, "the docs include test code (docs/testing.md, docs/powertools.md)"
    for block in includes:
        for path in included_files(block):
            assert path.exists(), (block.page, block.line, path)
            relative = path.relative_to(REPO).as_posix()
            if relative in EXAMPLES_TESTED_BY:
                tester = REPO / "tests" / EXAMPLES_TESTED_BY[relative]
                code = tester.read_text()
                imported = (f'import_module("{path.stem}")', f"from {path.stem} import")
                assert any(form in code for form in imported), (block.page, path, tester)
                continue
            assert path.parent == REPO / "tests", (block.page, block.line, path)
            assert path.name.startswith("test_"), (block.page, block.line, path)


def test_few_blocks_are_skipped_and_each_says_why() -> None:
    skipped = [block for page in PAGES for block in blocks_of(page) if block.kind == "skip"]
    every = [block for page in PAGES for block in blocks_of(page)]
    assert len(skipped) * 5 <= len(every), [(b.page.name, b.line) for b in skipped]
    for block in skipped:
        assert re.search(r"skip \(.+\)", block.before), (block.page.name, block.line)


def test_the_collector_finds_blocks_markers_and_includes(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "# Title\n\n```python\nx = 1\n```\n\n<!-- docs-test: skip (a signature) -->\n\n"
        '```python\nclass P(Protocol): ...\n```\n\n```python\n--8<-- "tests/test_x.py"\n```\n'
        "\n```bash\nnot python\n```\n\n```python\nassert x == 1\n```\n"
    )
    found = blocks_of(page)
    assert [(block.line, block.kind) for block in found] == [
        (4, "run"),
        (10, "skip"),
        (14, "include"),
        (22, "run"),
    ]
    namespace: dict[str, Any] = {}
    run(found[0], namespace)
    run(found[3], namespace)
    broken = Block(page, 22, "assert x == 2", "run")
    with pytest.raises(AssertionError) as caught:
        run(broken, namespace)
    assert caught.traceback[-1].lineno + 1 == 22  # pytest counts from 0
