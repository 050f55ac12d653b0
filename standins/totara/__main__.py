"""Run the Totara stand-in from the command line: `python -m standins.totara --data DIR --port 8081`."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from standins.totara.faults import ALWAYS, Faults
from standins.totara.limits import ComplexityLimits
from standins.totara.seed import SeedError
from standins.totara.server import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, TotaraStandin


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m standins.totara", description=__doc__)
    parser.add_argument("--data", required=True, help="folder holding users.jsonl and job_assignments.jsonl")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081, help="0 picks a free port")
    parser.add_argument("--client-id", default=os.environ.get("LEARNSCAPE_TOTARA_CLIENT_ID", DEFAULT_CLIENT_ID))
    parser.add_argument(
        "--client-secret",
        default=os.environ.get("LEARNSCAPE_TOTARA_CLIENT_SECRET", DEFAULT_CLIENT_SECRET),
        help="defaults to $LEARNSCAPE_TOTARA_CLIENT_SECRET",
    )
    parser.add_argument("--token-lifetime", type=int, default=3600, help="seconds a token lasts (expires_in)")
    parser.add_argument("--per-client-limit", type=int, default=250_000, help="complexity points a minute")
    parser.add_argument("--site-limit", type=int, default=500_000, help="complexity points a minute, all clients")
    parser.add_argument("--old-site", action="store_true", help="put debugMessage on the error, not in extensions")
    parser.add_argument("--delay", type=float, default=0.0, help="answer every GraphQL request this much later")
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        standin = TotaraStandin.from_folder(
            args.data,
            client_id=args.client_id,
            client_secret=args.client_secret,
            token_lifetime=args.token_lifetime,
            limits=ComplexityLimits(per_client_per_window=args.per_client_limit, site_per_window=args.site_limit),
            old_site=args.old_site,
            faults=Faults(delay_seconds=args.delay, slow_responses=ALWAYS if args.delay else 0),
        )
    except SeedError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    base_url = standin.start(args.host, args.port)
    print(f"Totara stand-in serving {args.data} at {base_url} (Ctrl-C to stop)", flush=True)
    try:
        standin.stopping.wait()
    except KeyboardInterrupt:
        pass
    finally:
        standin.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
