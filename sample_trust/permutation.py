"""A keyed shuffle of `range(size)` that maps one number at a time, in constant memory.

Employee numbers must be unique and look random, and names must be spread over people without two people
sharing an email address. Both come from a bijection of the person index: a small Feistel network over the next
even power of two, with cycle walking to stay inside `range(size)`. Nothing is stored per person, so any person
can be regenerated alone and 1.5 million people cost no memory.
"""

from __future__ import annotations

import hashlib

_ROUNDS = 4
_MIX = 0x9E3779B97F4A7C15


class Permutation:
    """A bijection of `range(size)` onto itself chosen by `key`; `permutation(i)` is the image of `i`."""

    def __init__(self, size: int, key: str) -> None:
        if size < 1:
            raise ValueError(f"a permutation needs at least one element, got size {size}")
        self.size = size
        bits = max(2, (size - 1).bit_length())
        bits += bits % 2
        self._half_bits = bits // 2
        self._half_mask = (1 << self._half_bits) - 1
        digest = hashlib.sha256(key.encode("utf-8")).digest()
        self._round_keys = tuple(int.from_bytes(digest[8 * r : 8 * r + 8], "big") for r in range(_ROUNDS))

    def __call__(self, value: int) -> int:
        if not 0 <= value < self.size:
            raise ValueError(f"value {value} is outside range({self.size})")
        while True:
            value = self._encrypt(value)
            if value < self.size:
                return value

    def _encrypt(self, value: int) -> int:
        half_bits = self._half_bits
        mask = self._half_mask
        left, right = value >> half_bits, value & mask
        for round_key in self._round_keys:
            mixed = ((right ^ round_key) * _MIX) & 0xFFFFFFFFFFFFFFFF
            left, right = right, left ^ ((mixed >> 29) & mask)
        return (left << half_bits) | right
