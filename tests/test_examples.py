"""The deployable example in ``examples/lambda``: its SAM template, its Terraform, its handler.

The template is linted offline with cfn-lint and read with cfn-lint's own decoder, which
understands ``!Ref``, ``!GetAtt`` and the other short forms. The Terraform is checked as text:
``terraform validate`` would need the AWS provider, which is a download. The handler module is
imported as Lambda imports it, with the environment the template sets, and run against moto.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import re
import shutil
import subprocess
import uuid
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import pytest
from cfnlint.api import ManualArgs, lint, lint_file
from cfnlint.decode import decode

from dashboard_projection import (
    ConfigurationError,
    InMemorySink,
    dashboard_table_spec,
    process_stream_event,
    query_by_day,
    query_by_tag,
    sentiment_counters,
    ttl_spec,
)
from servers import REPO, make_client

if TYPE_CHECKING:
    from pathlib import Path

EXAMPLE = REPO / "examples" / "lambda"
TEMPLATE = EXAMPLE / "template.yaml"
TERRAFORM = EXAMPLE / "terraform"
EVENT = EXAMPLE / "events" / "stream_event.json"
SEED_SOURCE_ID = "newsapi#bbc-news-ai-regulation-2025-11-16"
SEED_TAGS = ("AI", "regulation", "europe")
ENVIRONMENT = ("DASHBOARD_TABLE_NAME", "COUNTERS_TABLE_NAME", "TTL_DAYS", "LOG_LEVEL")
COUNTER_WRITES = {"dynamodb:PutItem", "dynamodb:UpdateItem"}
IN_TRANSACTIONS = {"StringEquals": {"dynamodb:EnclosingOperation": "TransactWriteItems"}}
STREAM_READ = {"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"}
Template = dict[str, Any]


@pytest.fixture(scope="module")
def template() -> Template:
    """The SAM template as plain data, intrinsic functions in their long form."""
    decoded, errors = decode(str(TEMPLATE))
    assert errors == [], [str(error) for error in errors]
    plain: Template = json.loads(json.dumps(decoded))  # cfn-lint's node types → dict, list, str
    return plain


def resource(template: Template, name: str) -> dict[str, Any]:
    properties: dict[str, Any] = template["Resources"][name]["Properties"]
    return properties


def stream_event() -> dict[str, Any]:
    event: dict[str, Any] = json.loads(EVENT.read_text())
    return event


def statements(template: Template) -> list[dict[str, Any]]:
    policies = resource(template, "StreamProcessorRole")["Policies"]
    return [s for policy in policies for s in policy["PolicyDocument"]["Statement"]]


def actions_of(statement: dict[str, Any]) -> set[str]:
    action = statement["Action"]
    return {action} if isinstance(action, str) else set(action)


def stream_mapping(template: Template) -> dict[str, Any]:
    events = resource(template, "StreamProcessorFunction")["Events"]
    (event,) = events.values()
    assert event["Type"] == "DynamoDB"
    properties: dict[str, Any] = event["Properties"]
    return properties


def emitted_metrics(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    """The EMF document the library prints for a batch (the alarms must match it)."""
    capsys.readouterr()
    process_stream_event(stream_event(), InMemorySink(("day_partition", "item_key")))
    (line,) = capsys.readouterr().out.splitlines()
    document: dict[str, Any] = json.loads(line)
    return document


# --- the SAM template ---------------------------------------------------------------------------


def test_cfn_lint_finds_nothing_in_the_template() -> None:
    """cfn-lint's errors and warnings, offline: the schemas ship with it.

    Its informational checks (``-i I``) find nothing either, but new ones come with new
    releases, so they are left out here.
    """
    matches = lint_file(TEMPLATE, config=ManualArgs(regions=["us-east-1"]))
    assert [str(match) for match in matches] == []


def test_the_event_source_mapping_is_valid_cloudformation(template: Template) -> None:
    """SAM passes the event's properties to ``AWS::Lambda::EventSourceMapping``; lint them there.

    cfn-lint checks a SAM event's properties only loosely (a misspelled property passes), so the
    mapping SAM will generate is linted against the CloudFormation schema itself.
    """
    properties = dict(stream_mapping(template))
    properties["EventSourceArn"] = (
        "arn:aws:dynamodb:us-east-1:123456789012:table/sentiment-items-primary/stream/"
        "2025-11-16T00:00:00.000"
    )
    del properties["Stream"]
    properties["FunctionName"] = "stream-processor"
    properties["DestinationConfig"] = {
        "OnFailure": {"Destination": "arn:aws:sqs:us-east-1:123456789012:stream-failures"}
    }
    mapping = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "Mapping": {"Type": "AWS::Lambda::EventSourceMapping", "Properties": properties}
        },
    }
    assert [str(match) for match in lint(json.dumps(mapping))] == []


def test_the_event_source_mapping_reports_batch_item_failures(template: Template) -> None:
    mapping = stream_mapping(template)
    assert mapping["Stream"] == {
        "Fn::If": [
            "CreatePrimaryTable",
            {"Fn::GetAtt": ["PrimaryTable", "StreamArn"]},
            {"Ref": "PrimaryTableStreamArn"},
        ]
    }
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["BisectBatchOnFunctionError"] is True
    assert mapping["BatchSize"] == 100
    assert mapping["MaximumBatchingWindowInSeconds"] == 5
    assert mapping["MaximumRetryAttempts"] >= 1
    assert 60 <= mapping["MaximumRecordAgeInSeconds"] <= 86400  # within the stream's retention
    assert 1 <= mapping["ParallelizationFactor"] <= 10
    assert mapping["DestinationConfig"] == {
        "OnFailure": {"Destination": {"Fn::GetAtt": ["StreamFailureQueue", "Arn"]}}
    }


def test_the_dashboard_table_is_exactly_dashboard_table_spec(template: Template) -> None:
    properties = resource(template, "DashboardTable")
    assert properties["TableName"] == {"Ref": "DashboardTableName"}
    name = template["Parameters"]["DashboardTableName"]["Default"]
    assert name == "sentiment-items-dashboard"
    created = {k: v for k, v in properties.items() if k != "TimeToLiveSpecification"}
    assert created | {"TableName": name} == dashboard_table_spec(name)
    assert properties["TimeToLiveSpecification"] == ttl_spec(name)["TimeToLiveSpecification"]


def test_the_counters_table_is_exactly_the_counters_table_spec(template: Template) -> None:
    properties = resource(template, "CountersTable")
    name = template["Parameters"]["CountersTableName"]["Default"]
    created = {k: v for k, v in properties.items() if k != "TimeToLiveSpecification"}
    assert created | {"TableName": name} == sentiment_counters().table_spec(name)
    assert properties["TimeToLiveSpecification"] == ttl_spec(name)["TimeToLiveSpecification"]
    variables = resource(template, "StreamProcessorFunction")["Environment"]["Variables"]
    assert variables["COUNTERS_TABLE_NAME"] == {"Ref": "CountersTable"}


def test_the_primary_table_streams_new_and_old_images(template: Template) -> None:
    properties = resource(template, "PrimaryTable")
    assert properties["KeySchema"] == [
        {"AttributeName": "source_id", "KeyType": "HASH"},
        {"AttributeName": "ingested_at", "KeyType": "RANGE"},
    ]
    assert properties["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert template["Resources"]["PrimaryTable"]["Condition"] == "CreatePrimaryTable"
    assert template["Conditions"]["CreatePrimaryTable"] == {
        "Fn::Equals": [{"Ref": "PrimaryTableStreamArn"}, ""]
    }


def test_the_role_grants_no_put_metric_data_and_item_writes_only_in_transactions(
    template: Template,
) -> None:
    granted = set().union(*(actions_of(s) for s in statements(template)))
    assert "cloudwatch:PutMetricData" not in granted  # metrics go through EMF
    assert granted == STREAM_READ | COUNTER_WRITES | {
        "dynamodb:BatchWriteItem",
        "sqs:SendMessage",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
    }
    # PutItem and UpdateItem: on the counters table, and only inside TransactWriteItems.
    (counters,) = [s for s in statements(template) if actions_of(s) & COUNTER_WRITES]
    assert actions_of(counters) == COUNTER_WRITES
    assert counters["Resource"] == {"Fn::GetAtt": ["CountersTable", "Arn"]}
    assert counters["Condition"] == IN_TRANSACTIONS


def test_every_statement_names_one_resource_of_this_stack(template: Template) -> None:
    stream = stream_mapping(template)["Stream"]
    expected = {
        frozenset(STREAM_READ): stream,
        frozenset({"dynamodb:BatchWriteItem"}): {"Fn::GetAtt": ["DashboardTable", "Arn"]},
        frozenset(COUNTER_WRITES): {"Fn::GetAtt": ["CountersTable", "Arn"]},
        frozenset({"sqs:SendMessage"}): {"Fn::GetAtt": ["StreamFailureQueue", "Arn"]},
        frozenset({"logs:CreateLogStream", "logs:PutLogEvents"}): {
            "Fn::GetAtt": ["StreamProcessorLogGroup", "Arn"]
        },
    }
    found = {frozenset(actions_of(s)): s["Resource"] for s in statements(template)}
    assert found == expected
    assert all(s["Effect"] == "Allow" for s in statements(template))


def test_sam_adds_no_policy_of_its_own(template: Template) -> None:
    """With ``Role`` set, SAM creates no role, so it attaches no managed policy either."""
    function = resource(template, "StreamProcessorFunction")
    assert function["Role"] == {"Fn::GetAtt": ["StreamProcessorRole", "Arn"]}
    assert "Policies" not in function
    assert "ManagedPolicyArns" not in resource(template, "StreamProcessorRole")


def test_the_function_is_configured_as_the_seed_says(template: Template) -> None:
    function = resource(template, "StreamProcessorFunction")
    assert function["Runtime"] in {"python3.11", "python3.12"}
    assert function["Timeout"] == 60
    assert function["MemorySize"] == 512
    assert function["ReservedConcurrentExecutions"] == 10
    assert set(function["Environment"]["Variables"]) == set(ENVIRONMENT)
    assert function["Environment"]["Variables"]["DASHBOARD_TABLE_NAME"] == {"Ref": "DashboardTable"}


def test_the_handler_named_in_the_template_exists(template: Template) -> None:
    function = resource(template, "StreamProcessorFunction")
    module, attribute = function["Handler"].split(".")
    code = EXAMPLE / function["CodeUri"]
    tree = ast.parse((code / f"{module}.py").read_text())
    assigned = {
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    assert attribute in assigned
    requirements = (code / "requirements.txt").read_text().splitlines()
    assert any(line.startswith("dashboard-projection") for line in requirements)


def test_the_alarms_watch_what_the_library_emits(
    template: Template, capsys: pytest.CaptureFixture[str]
) -> None:
    emf = emitted_metrics(capsys)
    (directive,) = emf["_aws"]["CloudWatchMetrics"]
    errors = resource(template, "StreamErrorsAlarm")
    assert errors["Namespace"] == directive["Namespace"] == "SentimentAnalyzer"
    assert errors["MetricName"] == "StreamProcessorErrors"
    assert {"Name": "StreamProcessorErrors", "Unit": "Count"} in directive["Metrics"]
    # The EMF line has no dimensions, so an alarm with dimensions would watch no data at all.
    assert directive["Dimensions"] == [[]]
    assert "Dimensions" not in errors
    assert (errors["Statistic"], errors["Period"], errors["EvaluationPeriods"]) == ("Sum", 300, 1)
    assert (errors["ComparisonOperator"], errors["Threshold"]) == ("GreaterThanThreshold", 10)
    assert errors["AlarmActions"] == [{"Ref": "AlertsTopic"}]

    lag = resource(template, "StreamLagAlarm")
    assert (lag["Namespace"], lag["MetricName"]) == ("AWS/Lambda", "IteratorAge")
    assert lag["Dimensions"] == [
        {"Name": "FunctionName", "Value": {"Ref": "StreamProcessorFunction"}}
    ]
    assert (lag["Statistic"], lag["Period"], lag["EvaluationPeriods"]) == ("Maximum", 60, 2)
    assert (lag["ComparisonOperator"], lag["Threshold"]) == ("GreaterThanThreshold", 60000)
    assert lag["AlarmActions"] == [{"Ref": "AlertsTopic"}]
    assert template["Resources"]["AlertsTopic"]["Type"] == "AWS::SNS::Topic"


# --- the Terraform ------------------------------------------------------------------------------

Block = dict[str, Any]  # attribute → literal; nested block type → list of Blocks
_ASSIGNMENT = re.compile(r"^(\w+)\s*=\s*(.+)$")
_OPENING = re.compile(r'^(\w+)((?:\s+"[^"]*")*)\s*(?:=\s*)?\{$')  # a block, or a map


def _literal(text: str) -> object:
    """A string, number, bool or one-line list; anything else (a reference) stays as text."""
    text = re.sub(r"\s+#.*$", "", text).strip()
    if text.startswith('"') and text.endswith('"'):
        return text[1:-1]
    if text in {"true", "false"}:
        return text == "true"
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if text.startswith("[") and text.endswith("]"):
        return [element.strip().strip('"') for element in text[1:-1].split(",") if element.strip()]
    return text


def parse_hcl(text: str) -> Block:
    """Blocks and single-line attributes of ``terraform fmt``-formatted HCL: enough for a check.

    A labelled block is stored under ``"type label label"``; a multi-line expression other
    than a map (``dimensions = {...}``) is not understood.
    """
    root: Block = {}
    stack = [root]
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line == "}":
            stack.pop()
            continue
        opening = _OPENING.match(line)
        if opening:
            labels = re.findall(r'"([^"]*)"', opening.group(2))
            block: Block = {}
            stack[-1].setdefault(" ".join([opening.group(1), *labels]), []).append(block)
            stack.append(block)
            continue
        assignment = _ASSIGNMENT.match(line)
        assert assignment, f"unexpected line: {line!r}"
        stack[-1][assignment.group(1)] = _literal(assignment.group(2))
    assert stack == [root], "unbalanced braces"
    return root


@pytest.fixture(scope="module")
def terraform() -> Block:
    merged: Block = {}
    for path in sorted(TERRAFORM.glob("*.tf")):
        for key, blocks in parse_hcl(path.read_text()).items():
            merged.setdefault(key, []).extend(blocks)
    return merged


def _key_schema(block: Block) -> list[dict[str, str]]:
    return [
        {"AttributeName": block["hash_key"], "KeyType": "HASH"},
        {"AttributeName": block["range_key"], "KeyType": "RANGE"},
    ]


def _table_as_spec(terraform: Block, table_name: str) -> tuple[Block, dict[str, Any]]:
    """A Terraform table (``resource aws_dynamodb_table <table_name>``) as a ``table_spec``."""
    (table,) = terraform[f"resource aws_dynamodb_table {table_name}"]
    (variable,) = terraform[f"variable {table_name}_table_name"]
    assert table["name"] == f"var.{table_name}_table_name"
    return table, {
        "TableName": variable["default"],
        "BillingMode": table["billing_mode"],
        "KeySchema": _key_schema(table),
        "AttributeDefinitions": [
            {"AttributeName": a["name"], "AttributeType": a["type"]} for a in table["attribute"]
        ],
    }


def test_the_terraform_dashboard_table_is_exactly_dashboard_table_spec(terraform: Block) -> None:
    table, as_spec = _table_as_spec(terraform, "dashboard")
    name = as_spec["TableName"]
    as_spec |= {
        "GlobalSecondaryIndexes": [
            {
                "IndexName": index["name"],
                "KeySchema": _key_schema(index),
                "Projection": {"ProjectionType": index["projection_type"]},
            }
            for index in table["global_secondary_index"]
        ],
    }
    assert as_spec == dashboard_table_spec(name)
    (ttl,) = table["ttl"]
    assert {"AttributeName": ttl["attribute_name"], "Enabled": ttl["enabled"]} == ttl_spec(name)[
        "TimeToLiveSpecification"
    ]


def test_the_terraform_matches_the_template(terraform: Block, template: Template) -> None:
    (primary,) = terraform["resource aws_dynamodb_table primary"]
    assert _key_schema(primary) == resource(template, "PrimaryTable")["KeySchema"]
    assert (primary["stream_enabled"], primary["stream_view_type"]) == (True, "NEW_AND_OLD_IMAGES")

    (function,) = terraform["resource aws_lambda_function stream_processor"]
    sam = resource(template, "StreamProcessorFunction")
    assert function["handler"] == sam["Handler"]
    assert function["runtime"] == sam["Runtime"]
    assert function["timeout"] == sam["Timeout"]
    assert function["memory_size"] == sam["MemorySize"]
    assert function["reserved_concurrent_executions"] == sam["ReservedConcurrentExecutions"]
    ((variables,),) = (environment["variables"] for environment in function["environment"])
    assert set(variables) == set(ENVIRONMENT)

    (mapping,) = terraform["resource aws_lambda_event_source_mapping primary_stream"]
    events = stream_mapping(template)
    assert mapping["function_response_types"] == events["FunctionResponseTypes"]
    assert mapping["bisect_batch_on_function_error"] is events["BisectBatchOnFunctionError"]
    assert mapping["batch_size"] == events["BatchSize"]
    assert mapping["maximum_batching_window_in_seconds"] == events["MaximumBatchingWindowInSeconds"]
    assert mapping["maximum_retry_attempts"] == events["MaximumRetryAttempts"]
    assert mapping["maximum_record_age_in_seconds"] == events["MaximumRecordAgeInSeconds"]
    assert mapping["parallelization_factor"] == events["ParallelizationFactor"]
    assert mapping["starting_position"] == events["StartingPosition"]
    ((on_failure,),) = (config["on_failure"] for config in mapping["destination_config"])
    assert on_failure["destination_arn"] == "aws_sqs_queue.stream_failures.arn"


def test_the_terraform_alarms_match_the_template(terraform: Block, template: Template) -> None:
    names = {"stream_lag": "StreamLagAlarm", "stream_errors": "StreamErrorsAlarm"}
    for tf_name, sam_name in names.items():
        (alarm,) = terraform[f"resource aws_cloudwatch_metric_alarm {tf_name}"]
        sam = resource(template, sam_name)
        pairs = {
            "namespace": "Namespace",
            "metric_name": "MetricName",
            "statistic": "Statistic",
            "period": "Period",
            "evaluation_periods": "EvaluationPeriods",
            "threshold": "Threshold",
            "comparison_operator": "ComparisonOperator",
        }
        assert {k: alarm[k] for k in pairs} == {k: sam[v] for k, v in pairs.items()}, tf_name
        assert alarm["alarm_actions"] == ["aws_sns_topic.alerts.arn"]
    (errors,) = terraform["resource aws_cloudwatch_metric_alarm stream_errors"]
    assert "dimensions" not in errors


def test_the_terraform_policy_grants_what_the_template_grants(
    terraform: Block, template: Template
) -> None:
    (document,) = terraform["data aws_iam_policy_document stream_processor"]
    granted = {action for s in document["statement"] for action in s["actions"]}
    assert granted == set().union(*(actions_of(s) for s in statements(template)))
    code = re.sub(r"#.*", "", (TERRAFORM / "main.tf").read_text())  # the comments name them
    assert "cloudwatch:PutMetricData" not in code
    (counters,) = [s for s in document["statement"] if set(s["actions"]) & COUNTER_WRITES]
    assert counters["resources"] == ["aws_dynamodb_table.counters.arn"]
    ((test, variable),) = IN_TRANSACTIONS.items()
    ((key, value),) = variable.items()
    assert counters["condition"] == [{"test": test, "variable": key, "values": [value]}]


def test_the_terraform_counters_table_is_exactly_the_counters_table_spec(terraform: Block) -> None:
    _, as_spec = _table_as_spec(terraform, "counters")
    assert as_spec == sentiment_counters().table_spec(as_spec["TableName"])


@pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform is not installed")
def test_the_terraform_is_formatted() -> None:
    """``terraform fmt`` parses the files (a syntax error fails it) and needs no provider."""
    terraform = shutil.which("terraform") or "terraform"
    result = subprocess.run(  # noqa: S603 - a fixed command line
        [terraform, "fmt", "-check", "-diff", "-recursive", str(TERRAFORM)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --- the handler module -------------------------------------------------------------------------


class FakeContext:
    def get_remaining_time_in_millis(self) -> int:
        return 60_000


@pytest.fixture
def lambda_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """What Lambda's environment gives boto3: a region and credentials, and no profile."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", *ENVIRONMENT):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", raising=False)
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    return monkeypatch


def import_handler_module() -> Any:
    """Import ``function/handler.py`` as Lambda does: a fresh top-level module, run once."""
    spec = importlib.util.spec_from_file_location(
        f"example_handler_{uuid.uuid4().hex}", EXAMPLE / "function" / "handler.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_missing_table_name_fails_the_cold_start(lambda_environment: pytest.MonkeyPatch) -> None:
    del lambda_environment
    with pytest.raises(ConfigurationError, match="DASHBOARD_TABLE_NAME"):
        import_handler_module()


@pytest.mark.integration
def test_the_example_handler_projects_the_seed_event_into_moto(
    moto_endpoint: str,
    lambda_environment: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The handler finds the table through the template's variables, and moto through
    ``AWS_ENDPOINT_URL_DYNAMODB`` (honoured by botocore >= 1.31), as it would find DynamoDB."""
    client = make_client(moto_endpoint)
    table = f"dashboard-{uuid.uuid4().hex}"
    client.create_table(**dashboard_table_spec(table))
    client.update_time_to_live(**ttl_spec(table))
    counters = sentiment_counters()
    counters_table = f"counters-{uuid.uuid4().hex}"
    client.create_table(**counters.table_spec(counters_table))
    try:
        lambda_environment.setenv("AWS_ENDPOINT_URL_DYNAMODB", moto_endpoint)
        lambda_environment.setenv("DASHBOARD_TABLE_NAME", table)
        lambda_environment.setenv("COUNTERS_TABLE_NAME", counters_table)
        lambda_environment.setenv("TTL_DAYS", "7")
        lambda_environment.setenv("LOG_LEVEL", "INFO")
        handler = import_handler_module().lambda_handler

        assert handler(stream_event(), FakeContext()) == {"batchItemFailures": []}

        by_day = client.query(**query_by_day(table, date(2025, 11, 16)))["Items"]
        assert [item["source_id"]["S"] for item in by_day] == [SEED_SOURCE_ID]
        assert by_day[0]["sentiment_score_combined"] == {"S": "neutral#0.72"}
        for tag in SEED_TAGS:
            by_tag = client.query(**query_by_tag(table, tag))["Items"]
            assert [item["source_id"]["S"] for item in by_tag] == [SEED_SOURCE_ID], tag
        assert client.scan(TableName=table)["Count"] == 1 + len(SEED_TAGS)
        lifetime = int(by_day[0]["expires_at"]["N"]) - datetime.now(UTC).timestamp()
        assert 7 * 86400 - 60 < lifetime <= 7 * 86400

        # A warm invocation reuses the module's handler; a replay changes nothing.
        assert handler(stream_event(), FakeContext()) == {"batchItemFailures": []}
        assert client.scan(TableName=table)["Count"] == 1 + len(SEED_TAGS)
        day = date(2025, 11, 16)
        totals = {
            (t.dimension, t.value): t.count for t in counters.read(client, counters_table, day, day)
        }
        assert totals == {("*", "*"): 1, ("sentiment", "neutral"): 1} | {
            ("tag", tag): 1 for tag in SEED_TAGS
        }  # counted once, the replay included

        out, err = capsys.readouterr()
        metrics = [json.loads(line) for line in out.splitlines()]
        assert [m["StreamProcessorSuccess"] for m in metrics] == [1, 1]
        logs = [json.loads(line) for line in err.splitlines()]
        assert [line["message"] for line in logs] == ["batch processed"] * 2
    finally:
        client.delete_table(TableName=table)
        client.delete_table(TableName=counters_table)
