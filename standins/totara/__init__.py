"""A local Totara Learn site: the OAuth2 token endpoint and external GraphQL API served from seed records,
with Totara's rate limits and switchable faults, for tests and the demo."""

from standins.totara.faults import ALWAYS, Faults
from standins.totara.limits import ComplexityLimits, ManualClock
from standins.totara.seed import TotaraSeed, load_seed, small_trust_seed, write_seed
from standins.totara.server import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    TotaraStandin,
    run_totara_standin,
)
from standins.totara.site import StandinCounters

__all__ = [
    "ALWAYS",
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "ComplexityLimits",
    "Faults",
    "ManualClock",
    "StandinCounters",
    "TotaraSeed",
    "TotaraStandin",
    "load_seed",
    "run_totara_standin",
    "small_trust_seed",
    "write_seed",
]
