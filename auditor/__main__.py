"""``python -m auditor``, and the ``auditor`` command (pyproject's entry point).

Ctrl-C or SIGTERM while the CLI's modules load (typer, pydantic: the first half second) is
the same one line and exit code as during a command, not a traceback or a silent death.
"""

import os
import sys

from auditor.errors import (
    EXIT_INTERRUPTED,
    EXIT_TERMINATED,
    INTERRUPTED,
    TERMINATED,
    Terminated,
    install_signal_handlers,
    interruption,
)


def main() -> None:
    install_signal_handlers()
    try:
        from auditor.cli import main as cli_main
    except BaseException as exc:
        found = interruption(exc)
        if isinstance(found, KeyboardInterrupt):
            line, code = INTERRUPTED, EXIT_INTERRUPTED
        elif isinstance(found, Terminated):
            line, code = TERMINATED, EXIT_TERMINATED
        else:
            raise
        sys.stderr.write(line + "\n")
        sys.stderr.flush()
        os._exit(code)  # half-imported modules: no finalisation (see cli.main)
    cli_main()


if __name__ == "__main__":
    main()
