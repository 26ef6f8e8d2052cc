"""Errors for user mistakes: each names the file (or option), the field or line, and what is wrong.

The command line prints the message alone on one line and exits with code 2.
One type per kind of input, so callers can tell them apart:
``ScenarioError`` (scenario files and the files they read), ``LogError`` (call
logs), ``OptionError`` (command-line options and output folders).
"""

import re

USAGE_EXIT = 2          # bad input of any kind
INTERRUPTED_EXIT = 130  # 128 + SIGINT, what shells report for Ctrl-C
LONGEST_WORD = 200      # characters of one quoted value a message repeats (a file's whole line may be megabytes)


def _cut_long_words(problem: str) -> str:
    """The message with each run of more than LONGEST_WORD characters without a space cut short, saying how long."""
    return re.sub(r"\S{%d,}" % (LONGEST_WORD + 1),
                  lambda m: f"{m[0][:LONGEST_WORD // 2]}... ({len(m[0]):,} characters)", problem)


class InputError(ValueError):
    """Bad input the user can fix: ``source`` (file or option), ``field`` (field, line or column), ``problem``."""

    def __init__(self, source: str, field: str, problem: str):
        self.source = str(source)
        self.field = field
        self.problem = problem = _cut_long_words(problem)
        where = f"{self.source}: {field}" if field else self.source
        super().__init__(f"{where}: {problem}")


class ScenarioError(InputError):
    """A scenario file (or a file it reads: base, empirical samples) is wrong."""


class LogError(InputError):
    """A call log cannot be read or used."""


class OptionError(InputError):
    """A command-line option (or the output folder it names) cannot be used."""
