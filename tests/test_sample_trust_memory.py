"""Generation streams person by person: memory does not grow with the size of the trust."""

from __future__ import annotations

import tracemalloc

from sample_trust import generate_sample_trust
from tests.sample_trust_support import AS_OF


def _peak_bytes(tmp_path, staff: int) -> int:
    tracemalloc.start()
    try:
        generate_sample_trust(tmp_path / f"trust-{staff}", staff=staff, seed=457, as_of=AS_OF)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_peak_memory_at_four_times_the_staff_grows_far_less_than_four_times(tmp_path):
    small = _peak_bytes(tmp_path, 300)
    large = _peak_bytes(tmp_path, 1_200)
    assert large < 1.5 * small
    assert large < 40 * 1024 * 1024
