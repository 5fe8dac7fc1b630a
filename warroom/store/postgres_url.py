"""A PostgreSQL address as warroom takes it, and as it may show it.

The address follows libpq's conventions: `postgresql://USER:PASSWORD@HOST:PORT/DB` (or
`postgres://`), and without a password in it, `PGPASSWORD` or `~/.pgpass` (`PGPASSFILE`)
supply one, which the driver reads itself. A secret may also stay out of the command line as
`${VAR}` anywhere in the address, expanded from the environment here. Whatever the source,
the password never appears in an error, a log line, the screen or an export: everything
shown goes through `shown`, and driver messages through `scrubbed`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from urllib.parse import unquote, urlsplit, urlunsplit

SCHEMES = ("postgresql://", "postgres://")

_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def is_postgres(target: str) -> bool:
    """Whether `target` names a PostgreSQL database."""
    return target.startswith(SCHEMES)


class MissingVariable(ValueError):
    """The address names a `${VAR}` the environment does not have; `args[0]` is its name."""


def expanded(target: str, environ: Mapping[str, str] | None = None) -> str:
    """`target` with each `${VAR}` replaced by the variable's value."""
    env = os.environ if environ is None else environ

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in env:
            raise MissingVariable(name)
        return env[name]

    return _VARIABLE.sub(value, target)


def shown(target: str) -> str:
    """The address as it may be shown: no password, whether written out or as `${VAR}`."""
    parts = urlsplit(target)
    if "@" not in parts.netloc:
        return target
    user_info, host = parts.netloc.rsplit("@", 1)
    user = user_info.split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}@{host}"))


def password(target: str) -> str | None:
    """The password written in the (expanded) address, if any."""
    user_info = urlsplit(target).netloc.rpartition("@")[0]
    if ":" not in user_info:
        return None
    return unquote(user_info.split(":", 1)[1]) or None


def scrubbed(message: str, secrets: list[str]) -> str:
    """A driver's message with every secret in it blanked, in case one was quoted back."""
    for secret in secrets:
        if secret:
            message = message.replace(secret, "***")
    return message


def known_secrets(target: str) -> list[str]:
    """Every password this process could hand the server for `target`."""
    secrets = [os.environ.get("PGPASSWORD", "")]
    written = password(target)
    if written:
        secrets += [written, urlsplit(target).netloc.rpartition("@")[0].split(":", 1)[1]]
    return [secret for secret in secrets if secret]
