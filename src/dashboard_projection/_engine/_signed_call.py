"""The hot writes, ``BatchWriteItem`` and ``TransactWriteItems``, sent with a client's own signer.

A botocore client spends most of a ``BatchWriteItem``'s CPU walking the request against the
service model: it serializes every attribute value of every item through its shape (a quarter
of a 100-record batch's CPU), and emits a dozen events around it; a counters transaction per
record pays the same. Neither needs it: every item was checked against DynamoDB's rules before
the call (``validate_item_for_write``), transactions are built by the library from checked
items, and DynamoDB's JSON protocol is the items themselves, in JSON. So the body is built with
:func:`json.dumps`, exactly as botocore's JSON serializer writes it (the same separators, the
same order, binary as base64), and everything else is botocore's:

* the endpoint URL the client resolved when it was made (``client.meta.endpoint_url``: region,
  FIPS, dual-stack, ``AWS_ENDPOINT_URL_DYNAMODB``); the per-request rules that may choose an
  account-based endpoint (``{account}.ddb.{region}``) are not run, and the regional endpoint
  serves every account;
* the client's request signer (``RequestSigner.sign``: its credentials, refreshed as they
  expire, region and signature version; SigV4 is never written here);
* the client's HTTP session (``Endpoint.http_session``, a ``URLLib3Session``: its connection
  pool, timeouts, proxies, TLS settings), whose transport errors are botocore's own exceptions.

The response is parsed as botocore parses DynamoDB's: the CRC32 DynamoDB sends is checked, and
an error becomes a :class:`~botocore.exceptions.ClientError` whose code comes from ``__type``.
The client's signer and endpoint are reached through ``client._request_signer`` and
``client._endpoint``, botocore's attribute names for them since 2013; tests compare the bytes
this sends with what the client sends, on moto and dynalite.
"""

from __future__ import annotations

import base64
import json
import zlib
from typing import TYPE_CHECKING, Any, cast

from botocore import __version__ as botocore_version
from botocore.awsrequest import AWSRequest
from botocore.exceptions import ChecksumError, ClientError, HTTPClientError

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from botocore.client import BaseClient
    from mypy_boto3_dynamodb.type_defs import BatchWriteItemOutputTypeDef, WriteRequestTypeDef

_TARGET_PREFIX = "DynamoDB_20120810."
_CONTENT_TYPE = "application/x-amz-json-1.0"  # the protocol's jsonVersion 1.0
_ERROR_STATUS = 300  # botocore raises for any status from here on


def _base64(value: object) -> str:
    """What botocore's JSON serializer writes for a blob: its base64 text."""
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"cannot send {type(value).__name__} {value!r:.40} as DynamoDB JSON")


class SignedWrites:
    """A botocore client's ``batch_write_item`` and ``transact_write_items``, unserialized.

    Attributes:
        meta: The client's ``meta`` (region, endpoint URL, config), for inspection.
    """

    def __init__(self, client: BaseClient) -> None:
        """Send with ``client``'s endpoint, signer and HTTP session."""
        self.meta = client.meta
        self._url = client.meta.endpoint_url.rstrip("/") + "/"
        parts: Any = client  # the signer and endpoint are not in botocore's type stubs
        self._signer = parts._request_signer  # noqa: SLF001 - see the module docstring
        self._http = parts._endpoint.http_session  # noqa: SLF001
        self._user_agent = f"Botocore/{botocore_version} dashboard-projection"

    def batch_write_item(
        self,
        *,
        RequestItems: Mapping[str, Sequence[WriteRequestTypeDef]],  # noqa: N803 - boto3's name
    ) -> BatchWriteItemOutputTypeDef:
        """Put and delete up to 25 items; those not processed come back in UnprocessedItems.

        Raises:
            ClientError: DynamoDB answered with an error (its code and message, as botocore's).
            BotoCoreError: The request did not get an answer (connection, timeout, checksum).
        """
        parsed = self._call("BatchWriteItem", {"RequestItems": RequestItems})
        return cast("BatchWriteItemOutputTypeDef", parsed)

    def transact_write_items(self, **parameters: Any) -> dict[str, Any]:  # noqa: ANN401
        """``TransactWriteItems`` with boto3's parameters (``TransactItems``, ...).

        Raises:
            ClientError: As :meth:`batch_write_item`; a cancelled transaction's carries its
                ``CancellationReasons``, as botocore's does.
            BotoCoreError: As :meth:`batch_write_item`.
        """
        return self._call("TransactWriteItems", parameters)

    def _call(self, operation: str, parameters: Mapping[str, Any]) -> dict[str, Any]:
        body = json.dumps(parameters, default=_base64).encode()
        request = AWSRequest(
            method="POST",
            url=self._url,
            data=body,
            headers={
                "X-Amz-Target": _TARGET_PREFIX + operation,
                "Content-Type": _CONTENT_TYPE,
                "User-Agent": self._user_agent,
            },
        )
        self._signer.sign(operation, request)
        response = self._http.send(request.prepare())
        content: bytes = response.content
        # Looked up in botocore's case-insensitive headers; a plain dict only for the metadata.
        expected, actual = response.headers.get("x-amz-crc32"), str(zlib.crc32(content))
        if expected is not None and expected != actual:  # DynamoDB's checksum of the body
            raise ChecksumError(
                checksum_type="crc32", expected_checksum=expected, actual_checksum=actual
            )
        failed = response.status_code >= _ERROR_STATUS
        try:
            parsed: dict[str, Any] = json.loads(content) if content else {}
        except ValueError as exc:
            if not failed:  # an answer that is not DynamoDB's: the request may not have landed
                raise HTTPClientError(error=exc) from exc
            parsed = {}  # an error page (a proxy's, a load balancer's): the status says it all
        metadata = {
            "RequestId": response.headers.get("x-amzn-RequestId", ""),
            "HTTPStatusCode": response.status_code,
            "HTTPHeaders": dict(response.headers.items()),
            "RetryAttempts": 0,
        }
        if failed:
            raise ClientError(_error(parsed, response.status_code, metadata), operation)  # type: ignore[arg-type]
        parsed["ResponseMetadata"] = metadata
        return parsed


def _error(parsed: Mapping[str, Any], status: int, metadata: dict[str, Any]) -> dict[str, Any]:
    """The error response botocore makes of DynamoDB's JSON error body.

    The error's own members (a cancelled transaction's ``CancellationReasons``) sit beside
    ``Error``, where botocore puts a modeled error's.
    """
    kind = str(parsed.get("__type") or status)
    message = parsed.get("message", parsed.get("Message", ""))
    members = {k: v for k, v in parsed.items() if k not in ("__type", "message", "Message")}
    return {
        **members,
        "Error": {"Code": kind.rsplit("#", 1)[-1], "Message": str(message)},
        "ResponseMetadata": metadata,
    }
