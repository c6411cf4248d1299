"""The package's exceptions: one root, a shallow tree, and a retryable flag on every node.

    DashboardProjectionError            root; ``retryable`` says whether trying again can help
    ├── InvalidInputError               the input itself is wrong; never retryable
    │   ├── DeserializationError        malformed DynamoDB JSON (path names the attribute)
    │   └── ItemValidationError         well-formed, but breaks the model (path names the field)
    ├── ConfigurationError              bad settings or arguments, reported at cold start
    └── WriteError                      a sink could not apply a write
        ├── RetryableWriteError         throttling, 5xx, timeouts: the stream should try again
        └── RejectedWriteError          DynamoDB rejected the item itself: retrying cannot help

Every message says what was wrong, where (record id, attribute path) and what was expected.
Each class names its public module (``dashboard_projection.ConfigurationError`` in a traceback,
not the private module that defines it).
"""

from __future__ import annotations

from typing import TypeVar

_Class = TypeVar("_Class", bound=type)


def public(cls: _Class) -> _Class:
    """Show ``cls`` as ``dashboard_projection.<name>``, where users import it from."""
    cls.__module__ = "dashboard_projection"
    return cls


@public
class DashboardProjectionError(Exception):
    """Root of every error this package raises on purpose."""

    retryable: bool = False


@public
class InvalidInputError(DashboardProjectionError):
    """The record or item is wrong; processing it again gives the same error.

    Attributes:
        reason: What is wrong and what was expected, without the path.
        path: Where in the input the problem is, e.g. ``NewImage.metadata.M.author``.
        cleanup: Writes still owed although the record is rejected (a projection sets them:
            e.g. deleting what the record's old image had projected, so nothing stale stays).
    """

    def __init__(self, message: str, *, path: str = "") -> None:
        """Build the error; the path, when known, is prefixed to the message."""
        self.reason = message
        self.path = path
        self.cleanup: tuple[object, ...] = ()
        super().__init__(f"{path}: {message}" if path else message)


@public
class SerializationError(InvalidInputError):
    """A Python value that has no DynamoDB representation (a float, an empty set, NaN, ...)."""


@public
class DeserializationError(InvalidInputError):
    """DynamoDB JSON that is malformed: unknown or multiple type tags, bad payloads, bad numbers."""


@public
class ItemValidationError(InvalidInputError):
    """An item that decodes but breaks the model: a missing field, a bad timestamp, a score of 2."""


@public
class ConfigurationError(DashboardProjectionError):
    """A setting or argument is invalid; raised early, before any record is processed."""


@public
class WriteError(DashboardProjectionError):
    """A sink could not apply a write."""


@public
class RetryableWriteError(WriteError):
    """A transient failure (throttling, a 5xx, a timeout): the same write may succeed later."""

    retryable = True


@public
class RejectedWriteError(WriteError):
    """The store rejected the write itself (e.g. a ValidationException): retrying cannot help."""
