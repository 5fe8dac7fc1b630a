"""`warroom db copy SRC DST`: incidents carried whole between any two stores
(`warroom.store.copy` does the work)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TYPE_CHECKING

from warroom.cli.options import (
    OPERATIONAL_FAILURE,
    CommandError,
    Options,
    as_database,
    database_path,
    shown,
)

if TYPE_CHECKING:
    from warroom.store.copy import CopyReport


def run_db(options: Options, args: argparse.Namespace) -> int:
    from warroom.store import MissingStore, NewerSchema, StoreError, UnknownIncident, open_store
    from warroom.store.copy import copy_incidents

    source = database_path(options._replace(db=as_database(args.source)))
    target = database_path(options._replace(db=as_database(args.target)), create=True)
    if shown(source) == shown(target):
        raise CommandError("SRC and DST are the same database: nothing to copy.")

    async def copy() -> CopyReport:
        async with (
            await open_store(source, create=False, read_only=True) as reading,
            await open_store(target) as writing,
        ):
            return await copy_incidents(reading, writing, args.incidents)

    try:
        report = asyncio.run(copy())
    except UnknownIncident as error:
        raise CommandError(f"There is no incident {error.args[0]} in {shown(source)}.") from None
    except (MissingStore, NewerSchema) as error:
        raise CommandError(str(error)) from None
    except StoreError as error:
        raise CommandError(str(error), OPERATIONAL_FAILURE) from None
    for incident_id, events, lines, outputs in report.copied:
        print(
            f"copied {incident_id}: {events} events, {lines} log lines, {outputs} command outputs"
        )
    for incident_id in report.present:
        print(f"already there {incident_id}")
    if report.conflicts:
        raise CommandError(
            f"{shown(target)} has other incidents with the ids {', '.join(report.conflicts)}:"
            " they were left as they are and not copied.",
            OPERATIONAL_FAILURE,
        )
    print(
        f"{len(report.copied)} copied, {len(report.present)} already there, into {shown(target)}",
        file=sys.stderr,
    )
    return 0
