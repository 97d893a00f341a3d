"""python -m bench [--tickets N] [--database URL] [--repeat R]: Mesa's numbers at N tickets.

Builds (or reuses) a database of N demo tickets with the bulk seeding, then times each
operation R times in this process and prints a markdown table (median and 95th percentile;
"cold" is the first run, before anything is cached). See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bench import harness


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=10_000, help="tickets in the database (default 10000)")
    parser.add_argument("--database", help="database URL (default sqlite:///data/bench/mesa-N.db)")
    parser.add_argument("--repeat", type=int, default=20, help="timed runs per operation (default 20)")
    parser.add_argument("--days", type=int, default=730, help="the demo tickets span this many days (default 730)")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    parser.add_argument("--profile", help="profile one operation by name with pyinstrument and print the profile")
    args = parser.parse_args(argv)
    url = args.database or f"sqlite:///data/bench/mesa-{args.tickets}.db"
    report = harness.run(url, tickets=args.tickets, repeat=args.repeat, days=args.days, profile=args.profile)
    print(harness.markdown(report))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
