"""DynamoDBSink: its retry logic against a scripted fake client, its writes against real servers."""

from __future__ import annotations

import base64
import math
import random
import socket
import subprocess
import sys
import threading
import time
import zlib
from typing import TYPE_CHECKING, Any, cast

import pytest
from botocore.exceptions import (
    ChecksumError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    HTTPClientError,
    ParamValidationError,
    ReadTimeoutError,
)

from dashboard_projection._engine._limits import MAX_ITEM_BYTES
from dashboard_projection._engine._plan import Delete, Put
from dashboard_projection._engine._signed_call import SignedWrites
from dashboard_projection._engine._sink import Sink
from dashboard_projection._engine._sink_dynamodb import DynamoDBSink
from dashboard_projection._engine._sizes import item_size
from dashboard_projection._errors import ConfigurationError, RejectedWriteError, RetryableWriteError
from servers import THROTTLE, create_table, fault_proxy, make_client

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import (
        BatchWriteItemOutputTypeDef,
        WriteRequestOutputTypeDef,
        WriteRequestTypeDef,
    )

    from dashboard_projection._engine._plan import WriteOp
    from dashboard_projection._types import WireItem

TABLE = "dashboard"
EVERYTHING = 10**6  # a step leaving this many operations unprocessed leaves them all

Step = Exception | int  # raise the exception, or leave that many operations unprocessed


def client_error(code: str, status: int = 400, message: str = "it went wrong") -> ClientError:
    return ClientError(
        {
            "Error": {"Code": code, "Message": message},
            "ResponseMetadata": {
                "RequestId": "r",
                "HostId": "h",
                "HTTPStatusCode": status,
                "HTTPHeaders": {},
                "RetryAttempts": 0,
            },
        },
        "BatchWriteItem",
    )


def _pk(request: WriteRequestTypeDef) -> str:
    put = request.get("PutRequest")
    attributes = put["Item"] if put is not None else request["DeleteRequest"]["Key"]
    key: Any = attributes["pk"]
    return cast("str", key["S"])


class FakeClient:
    """A test double of boto3's low-level client: one table in a dict, trouble on a schedule.

    Each call takes the next step of the script (none left: process everything); operations on
    a ``poison`` key make the whole call fail with a ValidationException, as DynamoDB does.
    """

    def __init__(self, *script: Step, poison: frozenset[str] = frozenset()) -> None:
        self.script = list(script)
        self.poison = poison
        self.table: dict[str, Mapping[str, Any]] = {}
        self.calls: list[list[WriteRequestTypeDef]] = []

    def batch_write_item(
        self,
        *,
        RequestItems: Mapping[str, Sequence[WriteRequestTypeDef]],  # noqa: N803 - boto3's name
    ) -> BatchWriteItemOutputTypeDef:
        requests = list(RequestItems[TABLE])
        self.calls.append(requests)
        step = self.script.pop(0) if self.script else 0
        if isinstance(step, Exception):
            raise step
        if self.poison & {_pk(request) for request in requests}:
            raise client_error("ValidationException", message="Type mismatch for key pk")
        for request in requests[step:]:
            put = request.get("PutRequest")
            if put is not None:
                self.table[_pk(request)] = put["Item"]
            else:
                self.table.pop(_pk(request), None)
        bounced = cast("list[WriteRequestOutputTypeDef]", requests[:step])
        return {
            "UnprocessedItems": {TABLE: bounced} if bounced else {},
            "ItemCollectionMetrics": {},
            "ConsumedCapacity": [],
            "ResponseMetadata": {
                "RequestId": "r",
                "HTTPStatusCode": 200,
                "HTTPHeaders": {},
                "RetryAttempts": 0,
            },
        }

    @property
    def sizes(self) -> list[int]:
        """How many operations each call carried."""
        return [len(call) for call in self.calls]


def fake_sink(
    client: FakeClient, sleeps: list[float] | None = None, **options: Any
) -> DynamoDBSink:
    # rng() == 1.0 makes each backoff its ceiling, so tests can name the delays exactly; the
    # script is followed in call order, so requests go one at a time unless a test says not.
    settings: dict[str, Any] = {
        "max_attempts": 4,
        "rng": lambda: 1.0,
        "max_concurrency": 1,
        **options,
    }
    recorded = [] if sleeps is None else sleeps
    return DynamoDBSink(
        TABLE, client=client, key_attributes=("pk",), sleep=recorded.append, **settings
    )


def puts(count: int, **attributes: dict[str, Any]) -> list[WriteOp]:
    return [Put({"pk": {"S": f"k{n}"}, **attributes}) for n in range(count)]


def test_is_a_sink() -> None:
    assert isinstance(fake_sink(FakeClient()), Sink)


def test_unprocessed_items_are_retried_until_they_land() -> None:
    client = FakeClient(3, 1)
    sleeps: list[float] = []
    result = fake_sink(client, sleeps).write(puts(5))
    assert (result.ok, result.requests, client.sizes) == (True, 3, [5, 3, 1])
    assert sorted(client.table) == [f"k{n}" for n in range(5)]
    assert sleeps == [0.05, 0.1]


def test_backoff_doubles_up_to_max_delay_with_full_jitter() -> None:
    draws = [0.999, 0.5, 0.0, 0.25, 0.999, 0.999, 0.999]  # rng() is in [0, 1)
    ceilings = [0.05, 0.1, 0.2, 0.4, 0.8, 1.0, 1.0]  # base_delay * 2**n, capped at max_delay
    client = FakeClient(*[EVERYTHING] * 8)
    sleeps: list[float] = []
    rng = iter(draws).__next__
    sink = fake_sink(client, sleeps, max_attempts=8, rng=rng, max_delay=1.0)
    assert not sink.write(puts(1)).ok
    assert sleeps == [draw * ceiling for draw, ceiling in zip(draws, ceilings, strict=True)]


def test_real_jitter_stays_between_zero_and_the_ceiling() -> None:
    sleeps: list[float] = []
    sink = fake_sink(FakeClient(*[EVERYTHING] * 8), sleeps, max_attempts=8, rng=random.random)
    sink.write(puts(1))
    ceilings = [0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 2.0]
    assert all(0 <= delay <= ceiling for delay, ceiling in zip(sleeps, ceilings, strict=True))


def test_what_stays_unprocessed_is_reported_retryable_naming_table_attempts_and_key() -> None:
    client = FakeClient(*[EVERYTHING] * 4)
    sleeps: list[float] = []
    result = fake_sink(client, sleeps).write(puts(2))
    assert (result.requests, client.sizes, len(sleeps)) == (4, [2, 2, 2, 2], 3)
    assert [failure.index for failure in result.failed] == [0, 1]
    error = result.failed[1].error
    assert isinstance(error, RetryableWriteError)
    assert error.retryable
    assert str(error) == (
        "table 'dashboard': item (pk=S:'k1') not written after 4 attempt(s) (the retry limit): "
        "DynamoDB returned it in UnprocessedItems every time"
    )


RETRYABLE = [
    client_error("ProvisionedThroughputExceededException"),
    client_error("ThrottlingException"),
    client_error("RequestLimitExceeded"),
    client_error("InternalServerError", 500),
    client_error("ServiceUnavailable", 503),
    client_error("TransactionConflictException"),
    client_error("SomethingNew", 502),
    client_error("ResourceNotFoundException"),
    client_error("AccessDeniedException"),
    EndpointConnectionError(endpoint_url="http://dynamodb"),
    ConnectionClosedError(endpoint_url="http://dynamodb"),
    ReadTimeoutError(endpoint_url="http://dynamodb"),
    ConnectTimeoutError(endpoint_url="http://dynamodb"),
]


@pytest.mark.parametrize("error", RETRYABLE, ids=lambda error: str(error)[:50])
def test_transient_errors_retry_the_whole_request(error: Exception) -> None:
    client = FakeClient(error)
    result = fake_sink(client).write(puts(30))
    assert (result.ok, client.sizes) == (True, [25, 25, 5])


@pytest.mark.parametrize("error", RETRYABLE, ids=lambda error: str(error)[:50])
def test_a_transient_error_that_persists_is_reported_retryable_with_its_cause(
    error: Exception,
) -> None:
    client = FakeClient(*[error] * 4)
    result = fake_sink(client).write(puts(3))
    assert (result.requests, client.sizes) == (4, [3, 3, 3, 3])
    for failure in result.failed:
        assert isinstance(failure.error, RetryableWriteError)
        assert failure.error.__cause__ is error
        assert "after 4 attempt(s) (the retry limit)" in str(failure.error)


def test_a_validation_exception_is_narrowed_to_the_offending_operations() -> None:
    client = FakeClient(poison=frozenset({"k3", "k17"}))
    result = fake_sink(client).write(puts(20))
    assert [failure.index for failure in result.failed] == [3, 17]
    error = result.failed[0].error
    assert isinstance(error, RejectedWriteError)
    assert not error.retryable
    assert str(error) == (
        "table 'dashboard' rejected item (pk=S:'k3'): ValidationException: Type mismatch for key pk"
    )
    assert isinstance(error.__cause__, ClientError)
    assert sorted(client.table) == sorted(f"k{n}" for n in range(20) if n not in {3, 17})
    assert client.sizes[:3] == [20, 10, 5]  # halves, then halves of the halves that failed


def test_botocores_own_parameter_validation_is_a_rejection_too() -> None:
    client = FakeClient(ParamValidationError(report="Invalid type for parameter"))
    result = fake_sink(client).write(puts(1))
    assert isinstance(result.failed[0].error, RejectedWriteError)
    assert "ParamValidationError: Parameter validation failed" in str(result.failed[0].error)


def test_an_item_dynamodb_would_reject_is_never_sent() -> None:
    client = FakeClient()
    result = fake_sink(client).write([*puts(2), Put({"pk": {"S": "bad"}, "n": {"N": 1.5}})])
    assert [failure.index for failure in result.failed] == [2]
    assert "use decimal.Decimal" in str(result.failed[0].error)
    assert (result.requests, sorted(client.table)) == (1, ["k0", "k1"])


def test_duplicate_keys_send_only_the_last_operation() -> None:
    client = FakeClient()
    ops: list[WriteOp] = [
        Put({"pk": {"S": "a"}, "v": {"S": "1"}}),
        Put({"pk": {"S": "a"}, "v": {"S": "2"}}),
    ]
    fake_sink(client).write([*ops, Delete({"pk": {"S": "b"}})])
    assert client.sizes == [2]
    assert client.table == {"a": {"pk": {"S": "a"}, "v": {"S": "2"}}}


def test_binary_given_as_base64_text_is_sent_as_bytes() -> None:
    client = FakeClient()
    text = base64.b64encode(b"\x00\xff").decode()
    nested = {"M": {"b": {"B": text}, "l": {"L": [{"BS": [text, b"\x01"]}]}}}
    fake_sink(client).write([Put({"pk": {"S": "a"}, "m": nested})])
    sent = client.table["a"]["m"]["M"]
    assert sent["b"] == {"B": b"\x00\xff"}
    assert sent["l"] == {"L": [{"BS": [b"\x00\xff", b"\x01"]}]}


def test_a_past_deadline_stops_retries_but_not_first_attempts() -> None:
    client = FakeClient(*[EVERYTHING] * 8)
    sleeps: list[float] = []
    result = fake_sink(client, sleeps).write(puts(30), deadline=time.monotonic() - 1)
    assert (result.requests, client.sizes, sleeps) == (2, [25, 5], [])
    assert "after 1 attempt(s) (the deadline)" in str(result.failed[0].error)


def test_no_backoff_is_slept_that_would_end_past_the_deadline() -> None:
    client = FakeClient(EVERYTHING, EVERYTHING)
    sleeps: list[float] = []
    sink = fake_sink(client, sleeps, base_delay=30.0, max_delay=30.0)
    assert not sink.write(puts(1), deadline=time.monotonic() + 10).ok
    assert (client.sizes, sleeps) == ([1], [])
    assert (
        fake_sink(FakeClient(EVERYTHING), sleeps).write(puts(1), deadline=time.monotonic() + 10).ok
    )
    assert sleeps == [0.05]


class KeyedFaults(FakeClient):
    """A FakeClient whose trouble follows keys, not call order, so concurrent calls may race.

    A call carrying a key of ``throttled`` is throttled while that key's count lasts; a key of
    ``bounced`` comes back in UnprocessedItems while its count lasts; poison keys fail the call.
    With ``together=n``, the first n calls wait for one another: a sink that sent its requests
    one at a time would break the barrier (an error that is not botocore's, so it propagates).
    """

    def __init__(
        self,
        *,
        throttled: dict[str, int] | None = None,
        bounced: dict[str, int] | None = None,
        poison: frozenset[str] = frozenset(),
        together: int = 0,
    ) -> None:
        super().__init__(poison=poison)
        self.throttled = dict(throttled or {})
        self.bounced = dict(bounced or {})
        self.lock = threading.Lock()
        self.together = together
        self.barrier = threading.Barrier(max(together, 1), timeout=10)
        self.arrived = 0
        self.in_flight = 0
        self.peak = 0

    def batch_write_item(
        self,
        *,
        RequestItems: Mapping[str, Sequence[WriteRequestTypeDef]],  # noqa: N803 - boto3's name
    ) -> BatchWriteItemOutputTypeDef:
        with self.lock:
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
            self.arrived += 1
            wait = self.arrived <= self.together
            keys = [_pk(request) for request in RequestItems[TABLE]]
            throttle = [key for key in keys if self.throttled.get(key, 0) > 0]
            for key in throttle:
                self.throttled[key] -= 1
            bounce = [key for key in keys if self.bounced.get(key, 0) > 0]
            for key in bounce:
                self.bounced[key] -= 1
        try:
            if wait:
                self.barrier.wait()
            if throttle:
                with self.lock:
                    self.calls.append(list(RequestItems[TABLE]))
                raise client_error("ProvisionedThroughputExceededException")
            requests = sorted(RequestItems[TABLE], key=lambda request: _pk(request) not in bounce)
            with self.lock:
                self.script = [len(bounce)]  # the bounced keys are first: left unprocessed
                return super().batch_write_item(RequestItems={TABLE: requests})
        finally:
            with self.lock:
                self.in_flight -= 1


def test_the_requests_of_a_write_are_in_flight_together_up_to_max_concurrency() -> None:
    client = KeyedFaults(together=3)
    result = fake_sink(client, max_concurrency=3).write(puts(130))  # 6 requests
    assert (result.ok, result.requests, client.peak) == (True, 6, 3)
    assert sorted(client.table) == sorted(f"k{n}" for n in range(130))


def test_with_max_concurrency_1_the_requests_go_one_at_a_time() -> None:
    client = KeyedFaults()
    assert fake_sink(client, max_concurrency=1).write(puts(130)).ok
    assert (client.sizes, client.peak) == ([25, 25, 25, 25, 25, 5], 1)


def concurrent_trouble() -> KeyedFaults:
    """Four requests of 25 in flight, each in its own trouble; the fifth is fine."""
    return KeyedFaults(
        throttled={"k0": 99, "k30": 2},  # the 1st request never lands; the 2nd does, 3rd time
        bounced={"k55": 99, "k60": 1},  # in the 3rd, k55 never lands, k60 on the 2nd try
        poison=frozenset({"k80", "k81"}),  # the 4th is halved down to these two
        together=4,
    )


def test_failures_in_concurrent_requests_are_reported_by_index_exactly() -> None:
    client = concurrent_trouble()
    sleeps: list[float] = []
    result = fake_sink(client, sleeps, max_concurrency=4).write(puts(125))
    retryable = [f.index for f in result.failed if isinstance(f.error, RetryableWriteError)]
    rejected = [f.index for f in result.failed if isinstance(f.error, RejectedWriteError)]
    assert (retryable, rejected) == ([*range(25), 55], [80, 81])
    assert [f.index for f in result.failed] == sorted(f.index for f in result.failed)
    landed = {f"k{n}" for n in range(125)} - {f"k{n}" for n in [*range(25), 55, 80, 81]}
    assert set(client.table) == landed
    by_index = {f.index: str(f.error) for f in result.failed}
    assert by_index[0] == (
        "table 'dashboard': item (pk=S:'k0') not written after 4 attempt(s) (the retry limit): "
        "ProvisionedThroughputExceededException: it went wrong"
    )
    assert by_index[55].endswith("DynamoDB returned it in UnprocessedItems every time")
    assert "ValidationException: Type mismatch for key pk" in by_index[80]
    # 1st: 4 attempts, 3 backoffs; 2nd: 3 attempts, 2; 3rd: 4 attempts, 3; 4th: halved; 5th: 1.
    assert sorted(sleeps) == sorted([0.05, 0.1, 0.2, 0.05, 0.1, 0.05, 0.1, 0.2])


def test_a_concurrent_write_reports_what_a_sequential_one_reports() -> None:
    results = []
    for concurrency in (1, 4):
        client = concurrent_trouble()
        client.together = 0 if concurrency == 1 else client.together
        sleeps: list[float] = []
        result = fake_sink(client, sleeps, max_concurrency=concurrency).write(puts(125))
        failed = [(f.index, type(f.error), str(f.error)) for f in result.failed]
        results.append((failed, result.requests, sorted(sleeps), client.table))
    assert results[0] == results[1]


def test_a_deadline_stops_the_retries_of_every_concurrent_request() -> None:
    client = KeyedFaults(throttled={"k0": 99, "k25": 99, "k50": 99}, together=3)
    sleeps: list[float] = []
    sink = fake_sink(client, sleeps, max_concurrency=3)
    result = sink.write(puts(75), deadline=time.monotonic() - 1)
    assert (result.requests, sleeps) == (3, [])
    assert [f.index for f in result.failed] == list(range(75))
    assert all("after 1 attempt(s) (the deadline)" in str(f.error) for f in result.failed)


def test_a_bug_in_one_concurrent_request_propagates() -> None:
    client = KeyedFaults(together=2)
    client.script = []
    sink = fake_sink(client, max_concurrency=2)
    original = client.batch_write_item

    def buggy(**kwargs: Any) -> BatchWriteItemOutputTypeDef:
        response = original(**kwargs)
        if any(_pk(request) == "k30" for request in kwargs["RequestItems"][TABLE]):
            raise KeyError("a bug")
        return response

    client.batch_write_item = buggy  # type: ignore[method-assign]
    with pytest.raises(KeyError):
        sink.write(puts(50))


def test_max_concurrency_is_checked() -> None:
    with pytest.raises(ConfigurationError, match="max_concurrency >= 1"):
        fake_sink(FakeClient(), max_concurrency=0)


def test_an_error_that_is_not_botocores_is_not_swallowed() -> None:
    with pytest.raises(KeyError):
        fake_sink(FakeClient(KeyError("a bug"))).write(puts(1))


@pytest.mark.parametrize(
    "options",
    [{"max_attempts": 0}, {"base_delay": -1.0}, {"base_delay": 3.0, "max_delay": 2.0}],
)
def test_retry_settings_are_checked(options: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError, match="max_attempts >= 1 and 0 <= base_delay"):
        fake_sink(FakeClient(), **options)


def test_a_table_name_is_required() -> None:
    with pytest.raises(ConfigurationError, match="table_name"):
        DynamoDBSink("", client=FakeClient())


def test_without_a_client_one_is_made_with_botocores_retries_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    client: Any = DynamoDBSink("t")._client
    assert (client.meta.region_name, client.meta.config.retries["total_max_attempts"]) == (
        "eu-west-1",
        1,
    )


def test_the_default_client_signs_its_own_calls_and_pools_a_connection_per_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    for sink, pool in ((DynamoDBSink("t"), 10), (DynamoDBSink("t", max_concurrency=3), 3)):
        assert isinstance(sink._client, SignedWrites)
        config: Any = sink._client.meta.config
        assert config.max_pool_connections == pool


def test_no_region_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    with pytest.raises(ConfigurationError, match="cannot make a DynamoDB client"):
        DynamoDBSink("t")


def test_importing_the_package_and_its_sinks_does_not_import_boto3() -> None:
    code = (
        "import sys, dashboard_projection, dashboard_projection._engine._sink_dynamodb, "
        "dashboard_projection._engine._sink_memory\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'boto3', 'botocore'}))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)  # noqa: S603
    assert run.stdout.strip() == "[]"


# Against real servers: the same calls production makes, no double.

KEY_SCHEMA: list[tuple[str, Any]] = [("day_partition", "S"), ("item_key", "S")]


def dashboard_item(item_key: str, **attributes: dict[str, Any]) -> dict[str, Any]:
    return {"day_partition": {"S": "2024-05-01"}, "item_key": {"S": item_key}, **attributes}


def stored(client: DynamoDBClient, table: str, item_key: str) -> WireItem | None:
    key = {"day_partition": {"S": "2024-05-01"}, "item_key": {"S": item_key}}
    return client.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")


def count(client: DynamoDBClient, table: str) -> int:
    return client.scan(TableName=table, Select="COUNT", ConsistentRead=True)["Count"]


@pytest.fixture
def server(dynamodb_endpoint: str) -> tuple[DynamoDBClient, str]:
    client = make_client(dynamodb_endpoint)
    return client, create_table(client, KEY_SCHEMA)


@pytest.mark.integration
@pytest.mark.parametrize("n", [1, 25, 26, 60])
def test_a_write_goes_in_ceil_n_over_25_requests(
    server: tuple[DynamoDBClient, str], n: int
) -> None:
    client, table = server
    result = DynamoDBSink(table, client=client).write(
        [Put(dashboard_item(str(i))) for i in range(n)]
    )
    assert (result.ok, result.requests) == (True, math.ceil(n / 25))
    assert count(client, table) == n


@pytest.mark.integration
def test_the_last_operation_on_a_key_wins(server: tuple[DynamoDBClient, str]) -> None:
    client, table = server
    result = DynamoDBSink(table, client=client).write(
        [
            Put(dashboard_item("a", v={"N": "1"})),
            Put(dashboard_item("a", v={"N": "2"})),
            Put(dashboard_item("gone")),
            Delete(dashboard_item("gone")),
            Delete(dashboard_item("back")),
            Put(dashboard_item("back")),
        ]
    )
    assert (result.ok, result.requests) == (True, 1)
    assert stored(client, table, "a") == dashboard_item("a", v={"N": "2"})
    assert stored(client, table, "gone") is None
    assert stored(client, table, "back") == dashboard_item("back")


@pytest.mark.integration
def test_an_item_the_server_rejects_is_isolated_and_the_others_land(
    server: tuple[DynamoDBClient, str],
) -> None:
    client, table = server
    ops: list[WriteOp] = [Put(dashboard_item(str(i))) for i in range(30)]
    ops[7] = Put({**dashboard_item("7"), "item_key": {"N": "7"}})  # the table says S
    result = DynamoDBSink(table, client=client).write(ops)
    assert [failure.index for failure in result.failed] == [7]
    error = result.failed[0].error
    assert isinstance(error, RejectedWriteError)
    assert str(error).startswith(f"table {table!r} rejected item (day_partition=S:'2024-05-01'")
    assert "ValidationException" in str(error)
    assert count(client, table) == 29
    assert result.requests > 2  # the request of 25 holding it was halved down to it


@pytest.mark.integration
def test_an_item_over_400_kb_is_rejected_before_any_call(
    server: tuple[DynamoDBClient, str],
) -> None:
    client, table = server
    sink = DynamoDBSink(table, client=client)
    huge = Put(dashboard_item("huge", body={"S": "x" * MAX_ITEM_BYTES}))
    alone = sink.write([huge])
    assert (alone.requests, [failure.index for failure in alone.failed]) == (0, [0])
    assert "at most 409600 bytes" in str(alone.failed[0].error)
    mixed = sink.write([Put(dashboard_item("a")), huge, Put(dashboard_item("b"))])
    assert (mixed.requests, [failure.index for failure in mixed.failed]) == (1, [1])
    assert count(client, table) == 2


@pytest.mark.integration
def test_a_missing_table_is_retryable(server: tuple[DynamoDBClient, str]) -> None:
    client, _ = server
    sink = DynamoDBSink("no-such-table", client=client, max_attempts=2, sleep=lambda _: None)
    result = sink.write([Put(dashboard_item("a")), Put(dashboard_item("b"))])
    assert result.requests == 2
    assert [failure.error.retryable for failure in result.failed] == [True, True]
    assert "ResourceNotFoundException" in str(result.failed[0].error)


@pytest.mark.integration
def test_binary_as_base64_text_is_stored_as_its_bytes(server: tuple[DynamoDBClient, str]) -> None:
    client, table = server
    text = base64.b64encode(b"\x00\xff").decode()
    assert DynamoDBSink(table, client=client).write([Put(dashboard_item("b", blob={"B": text}))]).ok
    assert stored(client, table, "b") == dashboard_item("b", blob={"B": b"\x00\xff"})


@pytest.mark.integration
def test_item_size_agrees_with_dynalite_at_the_400_kb_boundary(dynalite_endpoint: str) -> None:
    # dynalite sizes items with DynamoDB's measured formula, and refuses one byte more than
    # 400 KB: so an item our arithmetic puts at exactly 400 KB must land, and one byte more not.
    # The numbers exercise the odd, even, misaligned and negative widths.
    client = make_client(dynalite_endpoint)
    table = create_table(client, KEY_SCHEMA)
    numbers = {"NS": ["1", "12", "1.2", "-1.2", "123.45", "-0.000123", "1E+100"]}
    base = dashboard_item("edge", n=numbers, p={"S": ""})
    padding = MAX_ITEM_BYTES - item_size(base)
    client.put_item(TableName=table, Item={**base, "p": {"S": "x" * padding}})
    with pytest.raises(ClientError, match="Item size has exceeded the maximum allowed size"):
        client.put_item(TableName=table, Item={**base, "p": {"S": "x" * (padding + 1)}})


@pytest.mark.integration
@pytest.mark.parametrize("call", ["boto3-client", "signed-call"])
def test_throttles_and_a_poison_item_in_concurrent_requests_end_exactly_as_sequential(
    dynamodb_endpoint: str, call: str
) -> None:
    # Four requests in flight through the fault proxy: three throttles land on whichever
    # requests come first, and one request holds an item only the server rejects. Whatever
    # the interleaving, the result is the sequential one: the poison item rejected by index,
    # every other item written, three more requests, three backoffs.
    ops: list[WriteOp] = [Put(dashboard_item(str(i))) for i in range(90)]
    ops[40] = Put({**dashboard_item("40"), "item_key": {"N": "40"}})  # the table says S
    client = make_client(dynamodb_endpoint)
    calm = create_table(client, KEY_SCHEMA)
    expected = DynamoDBSink(calm, client=client, max_concurrency=1).write(ops)
    table = create_table(client, KEY_SCHEMA)
    with fault_proxy(dynamodb_endpoint) as proxy:
        proxy.faults = [THROTTLE, THROTTLE, THROTTLE]
        sleeps: list[float] = []
        caller = make_client(proxy.endpoint)
        sink = DynamoDBSink(
            table,
            client=SignedWrites(caller) if call == "signed-call" else caller,
            max_concurrency=4,
            sleep=sleeps.append,
        )
        result = sink.write(ops)
    assert [failure.index for failure in result.failed] == [40]
    error = result.failed[0].error
    assert isinstance(error, RejectedWriteError)
    assert "ValidationException" in str(error)
    assert isinstance(error.__cause__, ClientError)
    assert (result.requests, len(sleeps)) == (expected.requests + 3, 3)
    assert proxy.batch_writes == result.requests
    assert count(client, table) == count(client, calm) == 89


@pytest.mark.integration
def test_the_default_sink_sends_byte_for_byte_what_a_boto3_client_sends(
    dynamodb_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The default sink builds its BatchWriteItem body itself (SignedWrites), without
    # botocore's validation and serialization: the requests on the wire must not change,
    # whatever the attribute types.
    binary = base64.b64encode(b"\x00\xff").decode()
    ops: list[WriteOp] = [
        Put(
            dashboard_item(
                str(i),
                n={"N": "1.5"},
                b={"B": binary},
                ns={"NS": ["1", "2.5"]},
                bs={"BS": [binary]},
                ss={"SS": ["a", "é"]},
                m={"M": {"l": {"L": [{"BOOL": True}, {"NULL": True}, {"S": "x"}]}}},
            )
        )
        for i in range(30)
    ]
    ops.append(Delete(dashboard_item("gone")))
    client = make_client(dynamodb_endpoint)
    table = create_table(client, KEY_SCHEMA)
    with fault_proxy(dynamodb_endpoint) as proxy:
        for name, value in {
            "AWS_ENDPOINT_URL_DYNAMODB": proxy.endpoint,
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
        }.items():
            monkeypatch.setenv(name, value)
        assert DynamoDBSink(table, max_concurrency=1).write(ops).ok
        ours = list(proxy.bodies)
        validated = make_client(proxy.endpoint)
        assert DynamoDBSink(table, client=validated, max_concurrency=1).write(ops).ok
        theirs = proxy.bodies[len(ours) :]
    assert len(ours) == 2
    assert ours == theirs
    assert stored(client, table, "7") == {
        **ops[7].item,  # type: ignore[union-attr]
        "b": {"B": b"\x00\xff"},
        "bs": {"BS": [b"\x00\xff"]},
    }


@pytest.mark.integration
def test_the_signed_call_raises_what_the_client_raises(server: tuple[DynamoDBClient, str]) -> None:
    client, table = server
    signed = SignedWrites(client)
    wrong_type = {"PutRequest": {"Item": {**dashboard_item("x"), "item_key": {"N": "1"}}}}
    cases: dict[str, Mapping[str, Sequence[Any]]] = {
        "missing table": {"no-such-table": [{"PutRequest": {"Item": dashboard_item("a")}}]},
        "wrong key type": {table: [wrong_type]},
    }
    for name, request in cases.items():
        errors = []
        for caller in (client, signed):
            with pytest.raises(ClientError) as raised:
                caller.batch_write_item(RequestItems=request)
            response = raised.value.response
            metadata = response.get("ResponseMetadata", {})
            errors.append((response.get("Error"), metadata.get("HTTPStatusCode")))
        assert errors[0] == errors[1], name
    landed = signed.batch_write_item(
        RequestItems={table: [{"PutRequest": {"Item": dashboard_item("y")}}]}
    )
    assert landed.get("UnprocessedItems") == {}
    assert landed["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert stored(client, table, "y") == dashboard_item("y")


GOOD = b'{"UnprocessedItems":{}}'


@pytest.mark.parametrize(
    ("status", "headers", "body", "expected"),
    [
        (200, [("x-amz-crc32", str(zlib.crc32(GOOD)))], GOOD, None),
        (200, [("x-amz-crc32", "12345")], GOOD, ChecksumError),
        (200, [], b"<html>", HTTPClientError),
        (503, [], b"<html>Service Unavailable</html>", ClientError),
    ],
    ids=["checksum-matches", "checksum-differs", "not-json", "5xx-not-json"],
)
def test_the_signed_call_checks_the_answer_as_botocore_does(
    status: int, headers: list[tuple[str, str]], body: bytes, expected: type[Exception] | None
) -> None:
    with fault_proxy(f"http://127.0.0.1:{_closed_port()}") as proxy:  # never forwarded to
        proxy.faults = [(status, headers, body), (status, headers, body)]
        signed = SignedWrites(make_client(proxy.endpoint))
        item = cast("WriteRequestTypeDef", {"PutRequest": {"Item": {"pk": {"S": "a"}}}})
        if expected is None:
            answer = signed.batch_write_item(RequestItems={TABLE: [item]})
            assert (
                answer.get("UnprocessedItems"),
                answer["ResponseMetadata"]["HTTPStatusCode"],
            ) == (
                {},
                200,
            )
            return
        with pytest.raises(expected) as raised:
            signed.batch_write_item(RequestItems={TABLE: [item]})
        if isinstance(raised.value, ClientError):
            assert raised.value.response.get("Error", {}).get("Code") == "503"
        sink = DynamoDBSink(TABLE, client=signed, key_attributes=("pk",), max_attempts=1)
        failure = sink.write(puts(1)).failed[0].error
    assert isinstance(failure, RetryableWriteError)  # a corrupt answer or a 5xx: try again
    assert isinstance(failure.__cause__, expected)


def test_the_signed_call_raises_botocores_connection_errors() -> None:
    signed = SignedWrites(make_client(f"http://127.0.0.1:{_closed_port()}"))
    with pytest.raises(EndpointConnectionError):
        signed.batch_write_item(RequestItems={TABLE: []})


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port  # closed again: nothing listens there
