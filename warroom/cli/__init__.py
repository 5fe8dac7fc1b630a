"""The `warroom` command line: `main` parses, `commands` does each subcommand, `launch` starts
the war room, `check` polls once; the only package that prints for a shell.
"""
