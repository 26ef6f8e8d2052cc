"""The ``hotline`` program's entry point.

Loading the command line's modules takes a moment; Ctrl-C during it ends like Ctrl-C later (one line,
exit code 130), not with a traceback.  Everything else is ``sim.cli``.
"""

import sys

from sim.errors import INTERRUPTED_EXIT


def main():
    """Run ``hotline`` with the process's arguments."""
    try:
        from sim.cli import main as command_line
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(INTERRUPTED_EXIT)
    command_line()
