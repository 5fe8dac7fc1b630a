"""Python's cyclic garbage collector, held off while warroom starts.

A start creates some 110,000 tracked objects that live as long as the process (modules, classes,
the playbook, the widgets). The collector, woken every 700 allocations, walks the young ones
over and over and finds nothing to free: ~40 ms of a ~500 ms cold start. `hold` stops it
before the first import; `release`, once the first screen is out (or at once, for a
command that shows none), moves everything then alive into the permanent generation
(`gc.freeze`), so that later collections in a long incident skip it, and starts the
collector again. Objects without cycles are freed as ever while it is held.
"""

from __future__ import annotations

import gc

_held = False


def hold() -> None:
    """Stop the cyclic collector until `release` (nothing if it is already off)."""
    global _held
    if gc.isenabled():
        gc.disable()
        _held = True


def release() -> None:
    """Freeze what is alive and start the collector again, if `hold` stopped it; else
    nothing (a test's app, a second call)."""
    global _held
    if _held:
        _held = False
        gc.freeze()
        gc.enable()
