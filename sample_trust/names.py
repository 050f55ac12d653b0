"""People's names and NHS mail addresses, chosen by person index without remembering anyone.

The name space is every (forename slot, surname slot) pair, where a common name owns many slots. A keyed
permutation spreads people over the slots, so names follow their weights, and a pair's slot offset gives the
number NHS mail appends when an address is taken (`john.smith`, `john.smith37`): addresses are unique by
construction, with no set of used addresses held in memory.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from itertools import accumulate
from typing import NamedTuple

from sample_trust.permutation import Permutation
from sample_trust.reference import NameRecord

_SPECIAL_LETTERS = str.maketrans({"ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "ß": "ss", "œ": "oe", "Œ": "OE"})


def fold_for_email(text: str) -> str:
    """A name as it appears in an email address: ASCII, lower case, no apostrophes or spaces; hyphens kept."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPECIAL_LETTERS))
    plain = decomposed.encode("ascii", "ignore").decode("ascii").lower()
    return "".join(character for character in plain if character.isalnum() or character == "-")


class PersonName(NamedTuple):
    """A person's forename, surname, gender (`F`/`M`) and the local part of their email address."""

    first_name: str
    last_name: str
    gender: str
    email_local: str


class _WeightedNames:
    def __init__(self, records: tuple[NameRecord, ...]) -> None:
        folded = [fold_for_email(record.name) for record in records]
        if len(set(folded)) != len(folded):
            clashes = sorted({name for name in folded if folded.count(name) > 1})
            raise ValueError(f"names that fold to the same email text would share addresses: {clashes}")
        self.records = records
        self.folded = tuple(folded)
        self.ends = tuple(accumulate(record.weight for record in records))
        self.total = self.ends[-1]

    def locate(self, slot: int) -> tuple[int, int]:
        """(index of the name owning `slot`, offset of `slot` within that name's slots)."""
        position = bisect_right(self.ends, slot)
        start = self.ends[position] - self.records[position].weight
        return position, slot - start


class NameSpace:
    """Deterministic, collision-free names and email local parts for person indexes 0, 1, 2, ..."""

    def __init__(self, key: str, first_names: tuple[NameRecord, ...], last_names: tuple[NameRecord, ...]) -> None:
        self._first = _WeightedNames(first_names)
        self._last = _WeightedNames(last_names)
        self.size = self._first.total * self._last.total
        self._permutation = Permutation(self.size, key)

    def name_at(self, index: int) -> PersonName:
        """The name of person `index`; different indexes never share an email local part."""
        lap, position = divmod(index, self.size)
        first_slot, last_slot = divmod(self._permutation(position), self._last.total)
        first_index, first_offset = self._first.locate(first_slot)
        last_index, last_offset = self._last.locate(last_slot)
        first = self._first.records[first_index]
        last = self._last.records[last_index]
        occupancy = first_offset * last.weight + last_offset + lap * first.weight * last.weight
        local = f"{self._first.folded[first_index]}.{self._last.folded[last_index]}"
        if occupancy:
            local += str(occupancy)
        return PersonName(first.name, last.name, first.gender, local)
