"""warroom: a full-screen terminal war room for the person running a production incident."""

from __future__ import annotations

__version__ = "0.1.0"
