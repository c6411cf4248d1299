"""boto3 clients for the endpoint a command talks to, and the checks made before any work.

A local server (``--endpoint-url``) must not need the user's AWS configuration: without
credentials in the environment, dummy ones are used (a local server accepts any), and the region
defaults to us-east-1. The environment's credentials win when there are some, because DynamoDB
Local keeps one database per access key: tables made with the AWS CLI are only visible with the
same key. Against AWS itself nothing is invented: credentials and region come from the usual
places, and ``--region`` overrides the region.

Tables are checked before the work starts, so that a typo is one clear line, not a batch that
DynamoDBSink retries (it treats a missing table as "not yet created", as a Lambda should).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from dashboard_projection._cli._errors import CliError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TableDescriptionTypeDef
    from mypy_boto3_dynamodbstreams import DynamoDBStreamsClient

LOCAL_REGION = "us-east-1"
_DUMMY_KEY = "local"  # any key will do for a local server
_CONNECT_SECONDS = 5
_NEEDED_VIEW = "NEW_AND_OLD_IMAGES"


@dataclass(frozen=True, slots=True)
class Aws:
    """The clients for one endpoint.

    Attributes:
        dynamodb: For tables, scans and queries; botocore retries throttling as usual.
        writer: For :class:`DynamoDBSink`: botocore's retries off, so the sink's own retries
            (and its deadline) are the only ones, as in Lambda.
        streams: DynamoDB Streams, for reading the primary table's stream.
        where: The endpoint, for messages: its URL, or ``AWS <region>``.
    """

    dynamodb: DynamoDBClient
    writer: DynamoDBClient
    streams: DynamoDBStreamsClient
    where: str


def connect(endpoint_url: str | None, region: str | None = None, *, local: bool = False) -> Aws:
    """Clients for ``endpoint_url`` (AWS itself when ``None``).

    Args:
        endpoint_url: A DynamoDB-compatible endpoint, or ``None`` for AWS.
        region: The region; by default the environment's, or us-east-1 for an endpoint URL.
        local: The endpoint is the demo's own server: always use dummy credentials.

    Raises:
        CliError: No region is known for AWS itself.
    """
    session = boto3.Session()
    region = region or session.region_name or (LOCAL_REGION if endpoint_url else None)
    if region is None:
        raise CliError("no AWS region: pass --region, or set AWS_REGION")
    dummy = local or (endpoint_url is not None and session.get_credentials() is None)
    options: dict[str, Any] = {"endpoint_url": endpoint_url, "region_name": region}
    if dummy:
        options |= {"aws_access_key_id": _DUMMY_KEY, "aws_secret_access_key": _DUMMY_KEY}
    return Aws(
        dynamodb=session.client("dynamodb", config=_config(attempts=3), **options),
        writer=session.client("dynamodb", config=_config(attempts=1), **options),
        streams=session.client("dynamodbstreams", config=_config(attempts=3), **options),
        where=endpoint_url or f"AWS {region}",
    )


def _config(*, attempts: int) -> Config:
    return Config(
        connect_timeout=_CONNECT_SECONDS,
        retries={"mode": "standard", "total_max_attempts": attempts},
    )


def require_table(aws: Aws, name: str) -> TableDescriptionTypeDef:
    """The table's description.

    Raises:
        CliError: It does not exist.
    """
    try:
        return aws.dynamodb.describe_table(TableName=name)["Table"]
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
            raise
    region = aws.dynamodb.meta.region_name  # local servers keep tables per region too
    raise CliError(f"table {name!r} does not exist in region {region}", where=aws.where)


def stream_arn(aws: Aws, table: str) -> str:
    """The ARN of the table's stream, checked to carry what the projection needs.

    Raises:
        CliError: The table does not exist, has no stream, or not a NEW_AND_OLD_IMAGES one.
    """
    description = require_table(aws, table)
    view = description.get("StreamSpecification", {}).get("StreamViewType")
    arn = description.get("LatestStreamArn")
    if arn is None or not description.get("StreamSpecification", {}).get("StreamEnabled"):
        raise CliError(
            f"table {table!r} has no stream; enable one with {_NEEDED_VIEW}", where=aws.where
        )
    if view != _NEEDED_VIEW:
        raise CliError(
            f"table {table!r} streams {view}; the projection needs {_NEEDED_VIEW} "
            "(deletes of dropped tags come from the old image)",
            where=aws.where,
        )
    return arn
