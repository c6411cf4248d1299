"""The botocore boundary: the library's own clients, and what DynamoDB's errors mean.

botocore is imported inside these functions, never at module import: ``import
dashboard_projection`` stays light for cold starts, and boto3 is an optional dependency.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from botocore.exceptions import ClientError

#: Error codes after which the same request may succeed later. The first six say "not now";
#: the others are about the table or the caller, not the items: every item would fail alike, so
#: splitting the request would only multiply calls, and calling the items rejected would tell
#: the stream to drop what a fixed deployment (the table created, the role granted) will write.
_RETRYABLE_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
        "TransactionConflictException",
        "ResourceNotFoundException",
        "AccessDeniedException",
        "UnrecognizedClientException",
        "InvalidSignatureException",
        "MissingAuthenticationTokenException",
        "ExpiredTokenException",
    }
)
_SERVER_ERROR = 500  # any 5xx is DynamoDB's trouble, not the item's


def botocore_client(max_pool_connections: int) -> Any:  # noqa: ANN401 - botocore's client
    """A low-level DynamoDB client from botocore's session, making one attempt per call.

    The caller's own backoff, bounded by the Lambda deadline, is the only retrying. Parameter
    validation is off: the callers build every request from items already checked, and
    botocore's validation was about a third of a batch's CPU.
    """
    from botocore.config import Config  # noqa: PLC0415 - see the module docstring
    from botocore.session import get_session  # noqa: PLC0415

    config = Config(
        retries={"mode": "standard", "total_max_attempts": 1},
        max_pool_connections=max_pool_connections,
        parameter_validation=False,
    )
    return get_session().create_client("dynamodb", config=config)


def is_retryable(exc: Exception) -> bool:
    """Whether the same call may succeed later.

    Throttling, 5xx, transport errors, and the codes about the table or the caller rather than
    the items (see ``_RETRYABLE_CODES``).
    """
    from botocore.exceptions import ClientError, ParamValidationError  # noqa: PLC0415

    if isinstance(exc, ClientError):
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        return error_code(exc) in _RETRYABLE_CODES or status >= _SERVER_ERROR
    return not isinstance(exc, ParamValidationError)


def error_code(exc: ClientError) -> str:
    """The error code DynamoDB answered with."""
    return exc.response.get("Error", {}).get("Code", "UnknownError")


def explain(exc: Exception) -> str:
    """``Code: message`` for DynamoDB's errors, ``Type: message`` for any other."""
    from botocore.exceptions import ClientError  # noqa: PLC0415

    if isinstance(exc, ClientError):
        return f"{error_code(exc)}: {exc.response.get('Error', {}).get('Message', '')}"
    return f"{type(exc).__name__}: {exc}"


def call_errors() -> tuple[type[Exception], ...]:
    """The exceptions a DynamoDB call raises for its answer or its transport: botocore's.

    Anything else out of a call is a bug, and is left to propagate.
    """
    from botocore.exceptions import BotoCoreError, ClientError  # noqa: PLC0415

    return (ClientError, BotoCoreError)
