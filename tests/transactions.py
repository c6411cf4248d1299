"""An in-memory DynamoDB table with ``TransactWriteItems`` semantics, for fast property tests.

Faithful to what the counters rely on (DynamoDB API Reference, ``TransactWriteItems``): at most
100 actions, one per item; every condition is evaluated against the state before the
transaction, and if any fails nothing is applied and ``TransactionCanceledException`` carries one
``CancellationReasons`` entry per action (``ConditionalCheckFailed`` with the old item under
``ReturnValuesOnConditionCheckFailure=ALL_OLD``, ``None`` for the others); ``ADD`` adds numbers
(creating the attribute), ``SET`` assigns. Errors are botocore's ``ClientError`` with the
response shape botocore parses from DynamoDB.

Faults are scripted per ``transact_write_items`` call: ``"conflict"`` (cancelled with
``TransactionConflict``, nothing applied), ``"throttle"`` (``ThrottlingException``), and
``"lost"`` (applied, then the connection fails before the reply: botocore's
``ReadTimeoutError``).
"""

from __future__ import annotations

import copy
import re
import threading
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Literal

from botocore.exceptions import ClientError, ReadTimeoutError

Fault = Literal["conflict", "throttle", "lost"] | None
_TOKEN = re.compile(r"\s*(\(|\)|,|<=|>=|<>|<|>|=|[#:]?[A-Za-z_][A-Za-z0-9_]*)")
MAX_ACTIONS = 100


def _error(code: str, message: str, **extra: Any) -> ClientError:
    response: Any = {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {"HTTPStatusCode": 400},
        **extra,
    }
    return ClientError(response, "TransactWriteItems")


class TransactionalTable:
    """One table keyed ``(pk, sk)``, held in a dict; every table name maps to it."""

    def __init__(self) -> None:
        """An empty table with no faults scripted."""
        self.items: dict[tuple[str, str], dict[str, Any]] = {}
        self.faults: list[Fault] = []
        self.calls = 0
        self._lock = threading.Lock()

    def get_item(self, **kwargs: Any) -> dict[str, Any]:
        """``GetItem``: ``{"Item": ...}`` or ``{}``."""
        item = self.items.get(_key(kwargs["Key"]))
        return {"Item": copy.deepcopy(item)} if item is not None else {}

    def query(self, **kwargs: Any) -> dict[str, Any]:
        """``Query`` by partition key only (``#pk = :pk``), one page, ordered by ``sk``."""
        names, values = kwargs["ExpressionAttributeNames"], kwargs["ExpressionAttributeValues"]
        if kwargs["KeyConditionExpression"] != "#pk = :pk" or names["#pk"] != "pk":
            raise _error("ValidationException", "the fake supports #pk = :pk only")
        pk = values[":pk"]["S"]
        found = [item for (p, _), item in sorted(self.items.items()) if p == pk]
        return {"Items": copy.deepcopy(found), "Count": len(found)}

    def transact_write_items(self, **kwargs: Any) -> dict[str, Any]:
        """``TransactWriteItems``: all or nothing, after the scripted fault of this call.

        One at a time, as DynamoDB serializes transactions on the same items: the processor
        calls this from several threads.
        """
        with self._lock:
            return self._transact(**kwargs)

    def _transact(self, **kwargs: Any) -> dict[str, Any]:
        self.calls += 1
        fault = self.faults.pop(0) if self.faults else None
        actions: list[Mapping[str, Any]] = kwargs["TransactItems"]
        if fault == "throttle":
            raise _error("ThrottlingException", "Throughput exceeds the current capacity")
        if not 1 <= len(actions) <= MAX_ACTIONS:
            raise _error("ValidationException", f"{len(actions)} actions; 1 to 100 allowed")
        keys = [_action_key(action) for action in actions]
        if len(set(keys)) != len(keys):
            raise _error(
                "ValidationException",
                "Transaction request cannot include multiple operations on one item",
            )
        if fault == "conflict":
            reasons = [{"Code": "TransactionConflict"} for _ in actions]
            raise _error("TransactionCanceledException", "conflict", CancellationReasons=reasons)
        reasons = [self._check(action, key) for action, key in zip(actions, keys, strict=True)]
        if any(reason["Code"] != "None" for reason in reasons):
            raise _error(
                "TransactionCanceledException", "condition failed", CancellationReasons=reasons
            )
        for action, key in zip(actions, keys, strict=True):
            self._apply(action, key)
        if fault == "lost":
            raise ReadTimeoutError(endpoint_url="http://fake")
        return {}

    def _check(self, action: Mapping[str, Any], key: tuple[str, str]) -> dict[str, Any]:
        ((_, body),) = action.items()
        condition = body.get("ConditionExpression")
        current = self.items.get(key)
        if condition is None:
            return {"Code": "None"}
        names = body.get("ExpressionAttributeNames", {})
        values = body.get("ExpressionAttributeValues", {})
        if _Condition(condition, names, values).holds(current or {}):
            return {"Code": "None"}
        reason: dict[str, Any] = {"Code": "ConditionalCheckFailed", "Message": "failed"}
        if body.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current is not None:
            reason["Item"] = copy.deepcopy(current)
        return reason

    def _apply(self, action: Mapping[str, Any], key: tuple[str, str]) -> None:
        ((kind, body),) = action.items()
        if kind == "Put":
            self.items[key] = copy.deepcopy(dict(body["Item"]))
        elif kind == "Delete":
            self.items.pop(key, None)
        elif kind == "Update":
            item = self.items.setdefault(key, copy.deepcopy(dict(body["Key"])))
            _update(item, body["UpdateExpression"], body["ExpressionAttributeNames"],
                    body["ExpressionAttributeValues"])  # fmt: skip


def _key(key: Mapping[str, Any]) -> tuple[str, str]:
    return key["pk"]["S"], key["sk"]["S"]


def _action_key(action: Mapping[str, Any]) -> tuple[str, str]:
    ((kind, body),) = action.items()
    return _key(body["Item"] if kind == "Put" else body["Key"])


def _update(item: dict[str, Any], expression: str, names: Mapping[str, str],
            values: Mapping[str, Any]) -> None:  # fmt: skip
    for clause, body in re.findall(r"(ADD|SET)\s+(.*?)(?=\s+(?:ADD|SET)\s+|$)", expression):
        for part in body.split(","):
            if clause == "ADD":
                name, value = part.split()
                before = item.get(names[name], {"N": "0"})
                total = Decimal(before["N"]) + Decimal(values[value]["N"])
                item[names[name]] = {"N": str(total)}
            else:
                name, value = (side.strip() for side in part.split("="))
                item[names[name]] = copy.deepcopy(values[value])


class _Condition:
    """A recursive-descent reader of the condition grammar: OR, AND, parentheses, comparisons
    and ``attribute_exists`` / ``attribute_not_exists``."""

    def __init__(self, text: str, names: Mapping[str, str], values: Mapping[str, Any]) -> None:
        self.tokens = _TOKEN.findall(text)
        self.names, self.values = names, values

    def holds(self, item: Mapping[str, Any]) -> bool:
        self.position, self.item = 0, item
        result = self._or()
        if self.position != len(self.tokens):
            raise _error("ValidationException", f"cannot parse {' '.join(self.tokens)}")
        return result

    def _next(self) -> str:
        token: str = self.tokens[self.position]
        self.position += 1
        return token

    def _peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def _or(self) -> bool:
        result = self._and()
        while self._peek() == "OR":
            self._next()
            result = self._and() or result
        return result

    def _and(self) -> bool:
        result = self._factor()
        while self._peek() == "AND":
            self._next()
            result = self._factor() and result
        return result

    def _factor(self) -> bool:
        word = self._next()
        if word == "(":
            result = self._or()
            self._next()  # ")"
            return result
        if word in ("attribute_exists", "attribute_not_exists"):
            self._next()  # "("
            present = self.names[self._next()] in self.item
            self._next()  # ")"
            return present if word == "attribute_exists" else not present
        left, operator, right = self._operand(word), self._next(), self._operand(self._next())
        if isinstance(left, Decimal) and isinstance(right, Decimal):
            sign = (left > right) - (left < right)
        elif isinstance(left, str) and isinstance(right, str):
            sign = (left > right) - (left < right)  # DynamoDB compares strings by UTF-8 bytes
        else:
            return operator == "<>"
        outcomes = {"=": sign == 0, "<>": sign != 0, "<": sign < 0, "<=": sign <= 0,
                    ">": sign > 0, ">=": sign >= 0}  # fmt: skip
        return outcomes[operator]

    def _operand(self, token: str) -> str | Decimal | None:
        value = self.values[token] if token.startswith(":") else self.item.get(self.names[token])
        if value is None:
            return None
        if "N" in value:
            return Decimal(value["N"])
        return str(value["S"]) if "S" in value else None
