"""PyJWT's public helpers of ``jwt.utils``, for code that builds or inspects token parts
by hand. jwtkit itself never uses them: the library reads tokens with its own strict
base64url (no padding, canonical trailing bits), while ``base64url_decode`` here is as
lenient as PyJWT's (padding is added back, so padded input is accepted too).
"""

from __future__ import annotations

import base64
from typing import Optional, Union

__all__ = [
    "force_bytes",
    "base64url_decode",
    "base64url_encode",
    "to_base64url_uint",
    "from_base64url_uint",
    "number_to_bytes",
    "bytes_to_number",
    "bytes_from_int",
]


def force_bytes(value: Union[bytes, str]) -> bytes:
    """``value`` as bytes (``str`` as UTF-8); ``TypeError`` for anything else."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    raise TypeError("Expected a string or bytes value")


def base64url_decode(input: Union[bytes, str]) -> bytes:  # noqa: A002 - PyJWT's name
    """Decodes base64url with or without its ``=`` padding."""
    data = force_bytes(input)
    return base64.urlsafe_b64decode(data + b"=" * (-len(data) % 4))


def base64url_encode(input: bytes) -> bytes:  # noqa: A002 - PyJWT's name
    """base64url without padding."""
    return base64.urlsafe_b64encode(input).rstrip(b"=")


def bytes_from_int(val: int, *, bit_length: Optional[int] = None) -> bytes:
    """Big-endian bytes of the non-negative ``val``, as many as ``bit_length`` needs."""
    bits = val.bit_length() if bit_length is None else bit_length
    return val.to_bytes((bits + 7) // 8, "big", signed=False)


def to_base64url_uint(val: int, *, bit_length: Optional[int] = None) -> bytes:
    """An unsigned integer as JWK members hold them (``n``, ``e``, ``x``, …): base64url
    of its big-endian bytes; zero is one zero byte."""
    if val < 0:
        raise ValueError("Must be a positive integer")
    return base64url_encode(bytes_from_int(val, bit_length=bit_length) or b"\x00")


def from_base64url_uint(val: Union[bytes, str]) -> int:
    """The unsigned integer of a JWK member."""
    return int.from_bytes(base64url_decode(val), "big")


def number_to_bytes(num: int, num_bytes: int) -> bytes:
    """``num`` as exactly ``num_bytes`` big-endian bytes."""
    return num.to_bytes(num_bytes, "big")


def bytes_to_number(string: bytes) -> int:
    """The big-endian unsigned integer of ``string``."""
    return int.from_bytes(string, "big")
