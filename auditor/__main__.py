"""``python -m auditor``, and the ``auditor`` command (pyproject's entry point).

Ctrl-C while the CLI's modules load (typer, pydantic: the first half second) is the same one
line and exit code as during a command, not a traceback: the CLI's handlers exist only once
those modules have loaded.
"""

import os
import sys

from auditor.errors import EXIT_INTERRUPTED, INTERRUPTED, interruption


def main() -> None:
    try:
        from auditor.cli import main as cli_main
    except BaseException as exc:
        if not isinstance(interruption(exc), KeyboardInterrupt):
            raise
        sys.stderr.write(INTERRUPTED + "\n")
        sys.stderr.flush()
        os._exit(EXIT_INTERRUPTED)  # half-imported modules: no finalisation (see cli.main)
    cli_main()


if __name__ == "__main__":
    main()
