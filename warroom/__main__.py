from __future__ import annotations

from warroom.cli.main import main

raise SystemExit(main())
