"""DynamoDB's number rule, in one place: the decoder, the serializer and the sinks' checks.

"up to 38 digits of precision" counted after "leading and trailing zeroes are trimmed", and
non-zero magnitudes from 1E-130 to 9.9999999999999999999999999999999999999E+125 (DynamoDB
Developer Guide, "Supported data types and naming rules"). boto3's decimal context counts
trailing zeros as digits, so it refuses 1E+38 spelled out, which DynamoDB stores and returns.
"""

from __future__ import annotations

import re
from decimal import Decimal

#: Most significant digits a DynamoDB number has, leading and trailing zeros not counted.
MAX_SIGNIFICANT_DIGITS = 38
#: Adjusted exponent (``Decimal.adjusted()``) of the smallest non-zero magnitude, 1E-130.
MIN_ADJUSTED_EXPONENT = -130
#: Adjusted exponent of the largest magnitude, 9.99...E+125.
MAX_ADJUSTED_EXPONENT = 125
#: Why a number out of range is refused, after the number itself.
OUT_OF_RANGE = (
    "is outside DynamoDB's number range: magnitudes from 1E-130 to "
    "9.9999999999999999999999999999999999999E+125, or zero"
)

# The common case, decided cheaply: at most 38 characters of digits, "." and "-" cannot exceed
# 38 significant digits nor leave the exponent range, and Decimal() rejects the rest of them.
_PLAIN_CHARS = "0123456789.-"
_PLAIN_MAX_LEN = 38
#: The grammar of a number DynamoDB reads: no NaN, no Infinity.
NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def is_plain(text: str) -> bool:
    """Digits, "." and "-" only, 38 at most: within DynamoDB's limits if Decimal() takes it."""
    return len(text) <= _PLAIN_MAX_LEN and not text.strip(_PLAIN_CHARS)


def number_problem(number: Decimal) -> str | None:
    """Why DynamoDB would refuse ``number``, or ``None`` when it stores it: the one number rule.

    Up to 38 significant digits once leading and trailing zeros are trimmed (so
    ``110111111111111110000000000000000000000`` has 17), non-zero magnitudes from 1E-130 to
    9.9999999999999999999999999999999999999E+125, or zero; no NaN, no Infinity. The decoder,
    the serializer and the sinks' pre-send checks all apply it.
    """
    if not number.is_finite():
        return "is not a finite number; DynamoDB has no NaN or Infinity"
    if not number:
        return None
    digits = number.as_tuple().digits  # leading zeros are never kept in a Decimal's digits
    significant = len(digits)
    while not digits[significant - 1]:
        significant -= 1
    if significant > MAX_SIGNIFICANT_DIGITS:
        return (
            f"has {significant} significant digits; DynamoDB stores at most "
            f"{MAX_SIGNIFICANT_DIGITS} significant digits (leading and trailing zeros not counted)"
        )
    if not MIN_ADJUSTED_EXPONENT <= number.adjusted() <= MAX_ADJUSTED_EXPONENT:
        return OUT_OF_RANGE
    return None
