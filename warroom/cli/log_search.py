"""`warroom logs ID [QUERY]`: an incident's whole captured log archive searched with the live
tail's filter syntax (`warroom.logs.filter`), the matching lines printed in the order archived.

Lines are untrusted: in text each is shown with `safetext.visible` (escape sequences shown,
never sent); in JSON the encoder escapes them.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from warroom.cli.commands import with_store
from warroom.cli.options import CommandError, Options
from warroom.safetext import visible

if TYPE_CHECKING:
    from warroom.store import EventStore, LogMatches


def run_logs(options: Options, args: argparse.Namespace) -> int:
    from warroom.logs.filter import FilterError, FilterSpec

    if args.limit < 0:
        raise CommandError("--limit must be 0 or more.")
    spec = FilterSpec(ignore_case=not args.match_case).with_query(args.query)
    try:
        selector = spec.compile()
    except FilterError as error:
        raise CommandError(f"Bad search: {visible(str(error), limit=500)}.") from None

    async def search(store: EventStore) -> LogMatches:
        return await store.search_log_lines(args.incident_id, selector, limit=args.limit)

    found = with_store(options, search, read_only=True)
    if args.json:
        lines = [
            {"logged_at": at.isoformat(), "source": source, "line": line}
            for at, source, line in found.rows
        ]
        json.dump(
            {
                "incident": args.incident_id,
                "query": args.query,
                "total": found.total,
                "lines": lines,
            },
            sys.stdout,
            indent=2,
        )
        print()
        return 0
    for at, source, line in found.rows:
        print(f"{at:%Y-%m-%dT%H:%M:%SZ}  {visible(source, limit=64)}  {visible(line, limit=None)}")
    shown = len(found.rows)
    more = f" ({shown:,} shown; --limit to see more)" if shown < found.total else ""
    print(f"{found.total:,} matching line{'s' * (found.total != 1)}{more}", file=sys.stderr)
    return 0
