"""The command-line idiom of every ``python -m experiments.<...>`` script: a typer app with one-line user errors.

Each benchmark, study and preset defines ``app = ScriptApp(__name__, __doc__)``, one ``@app.command()``,
and ends with ``if __name__ == "__main__": app()``. List options are comma-separated and repeatable
(:mod:`experiments.cli_lists`). As with the ``evergreen`` command, a user error (an unknown option, a
value that does not parse, an unknown season or method, a file that cannot be read or written) exits
with status 2 and one line on stderr, ``<script>: error: <what is wrong>``, without a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import typer

from experiments.cli_lists import split_ints, split_list

__all__ = ["ScriptApp", "ints_option", "list_option"]


class ScriptApp(typer.Typer):
    """A typer app for one script, run as ``python -m <module>``; user errors exit 2 with one line."""

    def __init__(self, module: str, doc: str | None) -> None:
        """``module``: the script's ``__name__`` (``__main__`` under ``python -m``); ``doc``: its docstring."""
        self.script = _script_name(module)
        summary = (doc or "").strip().splitlines()[0] if doc else None
        super().__init__(name=self.script, help=summary, add_completion=False, pretty_exceptions_enable=False)

    def __call__(self, args: Sequence[str] | None = None, **_: Any) -> None:
        """Parse ``args`` (default: the command line) and run the command; exit 2 with one line on a user error."""
        argv = list(sys.argv[1:] if args is None else args)
        try:
            # standalone_mode=False: usage errors come back here, to be said in one line.
            code = super().__call__(args=argv, prog_name=f"python -m {self.script}", standalone_mode=False)
        except typer.TyperException as error:  # typer's (vendored click's) usage errors, said in one line
            self._fail(f"{error.format_message()} (see `python -m {self.script} --help`)")
        except (ValueError, OSError) as error:
            self._fail(_describe(error))
        except KeyboardInterrupt:
            typer.echo(f"{self.script}: interrupted", err=True)
            sys.exit(130)
        if isinstance(code, int) and code:
            sys.exit(code)

    def _fail(self, message: str) -> None:
        """Print ``<script>: error: <message>`` on stderr and exit with status 2."""
        typer.echo(f"{self.script}: error: {message}", err=True)
        sys.exit(2)


def list_option(values: list[str] | None, default: Sequence[str]) -> list[str]:
    """The items of a comma-separated, repeatable option, or ``default`` when it was not given (ValueError if malformed)."""
    items = split_list(values)
    return list(default) if items is None else items


def ints_option(values: list[str] | None, option: str, default: Sequence[int]) -> list[int]:
    """Whole numbers of a comma-separated, repeatable option (``--seeds 0,1,2``), or ``default``.

    Raises ValueError naming ``option`` for an item that is not a whole number.
    """
    items = split_ints(values, option)
    return list(default) if items is None else items


def _script_name(module: str) -> str:
    """The dotted name a script is run by (``__main__`` under ``python -m`` becomes the module's real name)."""
    if module != "__main__":
        return module
    spec = getattr(sys.modules["__main__"], "__spec__", None)
    return spec.name if spec is not None else "script"


def _describe(error: Exception) -> str:
    """One line for a ValueError or an OSError (an OSError names its file)."""
    if isinstance(error, OSError) and error.filename is not None:
        return f"cannot write or read {error.filename}: {error.strerror or error}"
    return str(error)
