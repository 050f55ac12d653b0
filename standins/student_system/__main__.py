"""Run the student system stand-in from a shell: `python -m standins.student_system --data DIR --port N`."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from standins.student_system.server import start_student_standin

API_KEY_ENV = "LEARNSCAPE_STUDENT_API_KEY"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m standins.student_system",
        description="Serve the student management system's REST API from seed JSONL files.",
    )
    parser.add_argument("--data", type=Path, help="folder of <collection>.jsonl seed files (default: no records)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (default: any free port)")
    parser.add_argument("--api-key", default=os.environ.get(API_KEY_ENV), help=f"bearer key (default: ${API_KEY_ENV})")
    args = parser.parse_args(argv)
    if not args.api_key:
        parser.error(f"give --api-key or set {API_KEY_ENV}")
    server, controller = start_student_standin(args.data, api_key=args.api_key, host=args.host, port=args.port)
    counts = ", ".join(f"{name} {count}" for name, count in controller.store.counts().items())
    print(f"student system stand-in serving {controller.base_url} ({counts}); Ctrl-C stops it", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
