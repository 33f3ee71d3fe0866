"""What every CLI command shares: --data-dir on either side of a subcommand, user errors as one line."""
from __future__ import annotations

import argparse
import json
import sys
import urllib.error
from typing import Callable

from jargonaut.errors import JargonautError


def data_dir_parent(help_text: str = "where everything is kept (JARGONAUT_DATA_DIR, default ./data)") -> argparse.ArgumentParser:
    """A parent parser for subcommands: `--data-dir` accepted after the subcommand too.

    SUPPRESS as the default, so a leaf that was not given the option never overwrites what
    the group parser before it read (`accounts --data-dir D create`).
    """
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--data-dir", default=argparse.SUPPRESS, help=help_text)
    return parent


def user_error_message(exc: BaseException) -> str | None:
    """The one line to show for a mistake the user can fix; None for a bug (keep its traceback)."""
    if isinstance(exc, JargonautError):
        return exc.message
    if isinstance(exc, urllib.error.URLError):
        return f"cannot connect to the server: {exc.reason}"
    if isinstance(exc, OSError):
        where = f": {exc.filename}" if exc.filename else ""
        return f"{exc.strerror or exc}{where}"
    if isinstance(exc, json.JSONDecodeError):
        return f"not valid JSON: {exc}"
    if isinstance(exc, UnicodeDecodeError):
        return f"not UTF-8 text: {exc}"
    return None


def run_command(func: Callable[[argparse.Namespace], int | None], args: argparse.Namespace, prog: str = "jargonaut") -> int:
    try:
        return int(func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - user errors become one line; bugs re-raise
        message = user_error_message(exc)
        if message is None:
            raise
        print(f"{prog}: error: {message}", file=sys.stderr)
        return 2
