"""``python -m auditor``, and the ``auditor`` command (pyproject's entry point).

Ctrl-C or SIGTERM while the CLI's modules load (typer, pydantic: the first half second) is
the same one line and exit code as during a command, not a traceback or a silent death.
"""

import os
import sys

from auditor.errors import install_signal_handlers, signal_exit


def main() -> None:
    install_signal_handlers()
    try:
        from auditor.cli import main as cli_main
    except BaseException as exc:
        said = signal_exit(exc)
        if said is None:
            raise
        sys.stderr.write(said[0] + "\n")
        sys.stderr.flush()
        os._exit(said[1])  # half-imported modules: no finalisation (see cli.main)
    cli_main()


if __name__ == "__main__":
    main()
