"""`python -m warroom` and the `warroom` command."""

from __future__ import annotations

from warroom import collector


def main() -> int:
    # Before the command line's imports: they are most of what a start collects for nothing.
    collector.hold()
    from warroom.cli.main import main as run_command_line

    return run_command_line()


if __name__ == "__main__":
    raise SystemExit(main())
