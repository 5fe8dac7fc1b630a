from __future__ import annotations

from warroom.cli import main

raise SystemExit(main())
