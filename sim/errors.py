"""The one error type for user mistakes: it names the file, the field and what is wrong."""


class ScenarioError(ValueError):
    """A scenario (or other input file) is wrong in a way the user can fix.

    The command line prints the message alone and exits with code 2.
    """

    def __init__(self, source: str, field: str, problem: str):
        self.source = source
        self.field = field
        self.problem = problem
        where = f"{source}: {field}" if field else source
        super().__init__(f"{where}: {problem}")
