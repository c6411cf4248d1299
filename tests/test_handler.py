"""``make_handler``: configuration from the environment, and the seed's event end to end."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from importlib import resources

import pytest

from dashboard_projection import (
    ConfigurationError,
    DynamoDBSink,
    InMemorySink,
    dashboard_table_spec,
    make_handler,
    process_stream_event,
    query_by_day,
    query_by_tag,
)
from seed import SEED_SOURCE_ID, seed_event
from servers import make_client

NOW = datetime(2025, 11, 16, 15, tzinfo=UTC)
KEY = ("day_partition", "item_key")
ENVIRON = {"DASHBOARD_TABLE_NAME": "t", "TTL_DAYS": "3", "LOG_LEVEL": "DEBUG"}


class FakeContext:
    def get_remaining_time_in_millis(self) -> int:
        return 60_000


def test_the_handler_processes_an_event(capsys: pytest.CaptureFixture[str]) -> None:
    sink = InMemorySink(KEY)
    handler = make_handler(sink=sink, environ=ENVIRON)
    response = handler(seed_event(), FakeContext())
    assert response == {"batchItemFailures": []}
    assert len(sink) == 4
    expires = {item["expires_at"]["N"] for item in sink.items()}
    assert len(expires) == 1
    (expires_at,) = expires
    lifetime = int(expires_at) - datetime.now(UTC).timestamp()
    assert 3 * 86400 - 60 < lifetime <= 3 * 86400  # TTL_DAYS=3
    metrics = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [document["StreamProcessorSuccess"] for document in metrics] == [1]


def test_the_handler_works_without_a_context() -> None:
    sink = InMemorySink(KEY)
    handler = make_handler(sink=sink, environ=ENVIRON)
    assert handler(seed_event(), None) == {"batchItemFailures": []}
    assert len(sink) == 4


def test_the_handler_logs_json_at_the_configured_level(
    capsys: pytest.CaptureFixture[str],
) -> None:
    handler = make_handler(sink=InMemorySink(KEY), environ=ENVIRON)
    handler(seed_event(), None)
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    messages = {line["message"] for line in lines}
    assert "batch processed" in messages
    summary = next(line for line in lines if line["message"] == "batch processed")
    assert summary["records"] == 1
    assert summary["rejected"] == 0


def test_the_handler_can_propagate_removes() -> None:
    sink = InMemorySink(KEY)
    handler = make_handler(sink=sink, environ=ENVIRON, propagate_removes=True)
    insert = seed_event()
    handler(insert, None)
    record = insert["Records"][0]
    remove = {
        **record,
        "eventName": "REMOVE",
        "dynamodb": {
            "Keys": record["dynamodb"]["Keys"],
            "OldImage": record["dynamodb"]["NewImage"],
            "SequenceNumber": "222",
        },
    }
    assert handler({"Records": [remove]}, None) == {"batchItemFailures": []}
    assert len(sink) == 0


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({**ENVIRON, "TTL_DAYS": "0"}, r"TTL_DAYS must be a whole number of days >= 1, got '0'"),
        ({**ENVIRON, "TTL_DAYS": "abc"}, r"TTL_DAYS .* got 'abc'"),
        ({**ENVIRON, "TTL_DAYS": "-3"}, r"TTL_DAYS .* got '-3'"),
        ({**ENVIRON, "TTL_DAYS": "²"}, r"TTL_DAYS .* got '²'"),
        ({**ENVIRON, "TTL_DAYS": "1.5"}, r"TTL_DAYS .* got '1.5'"),
        ({**ENVIRON, "LOG_LEVEL": "LOUD"}, r"LOG_LEVEL must be one of DEBUG, .* got 'LOUD'"),
        ({**ENVIRON, "LOG_LEVEL": ""}, r"LOG_LEVEL .* got ''"),
    ],
)
def test_invalid_settings_fail_at_cold_start(environ: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        make_handler(sink=InMemorySink(KEY), environ=environ)


@pytest.mark.parametrize("table_name", [None, "", "   "])
def test_a_missing_table_name_fails_when_no_sink_is_given(table_name: str | None) -> None:
    environ = {"TTL_DAYS": "3", "LOG_LEVEL": "INFO"}
    if table_name is not None:
        environ["DASHBOARD_TABLE_NAME"] = table_name
    with pytest.raises(ConfigurationError, match="DASHBOARD_TABLE_NAME must name"):
        make_handler(environ=environ)


def test_defaults_apply_when_ttl_and_level_are_unset() -> None:
    sink = InMemorySink(KEY)
    handler = make_handler(sink=sink, environ={})
    handler(seed_event(), None)
    (expires_at,) = {item["expires_at"]["N"] for item in sink.items()}
    lifetime = int(expires_at) - datetime.now(UTC).timestamp()
    assert 7 * 86400 - 60 < lifetime <= 7 * 86400


def test_the_sample_event_shipped_with_the_package_is_processed() -> None:
    text = resources.files("dashboard_projection").joinpath("samples/sample_event.json")
    event = json.loads(text.read_text())
    sink = InMemorySink(KEY)
    dead: list[object] = []
    response = process_stream_event(event, sink, now=NOW, metrics=False, dead_letter=dead.append)
    assert response == {"batchItemFailures": []}
    assert dead == []
    assert len(sink) > 0


@pytest.mark.integration
def test_the_seed_event_is_queryable_by_day_and_by_tag_on_moto(moto_endpoint: str) -> None:
    client = make_client(moto_endpoint)
    table = "dashboard-handler-test"
    client.create_table(**dashboard_table_spec(table))
    try:
        sink = DynamoDBSink(table, client=client)
        response = process_stream_event(seed_event(), sink, now=NOW, metrics=False)
        assert response == {"batchItemFailures": []}

        by_day = client.query(**query_by_day(table, date(2025, 11, 16)))["Items"]
        assert [item["source_id"]["S"] for item in by_day] == [SEED_SOURCE_ID]
        assert by_day[0]["sentiment_score_combined"] == {"S": "neutral#0.72"}
        for tag in ("AI", "regulation", "europe"):
            by_tag = client.query(**query_by_tag(table, tag))["Items"]
            assert [item["source_id"]["S"] for item in by_tag] == [SEED_SOURCE_ID], tag
        assert client.query(**query_by_tag(table, "sports"))["Items"] == []

        # A replay changes nothing: still one item per query.
        process_stream_event(seed_event(), sink, now=NOW, metrics=False)
        assert len(client.query(**query_by_day(table, date(2025, 11, 16)))["Items"]) == 1
        assert client.scan(TableName=table)["Count"] == 4
    finally:
        client.delete_table(TableName=table)
