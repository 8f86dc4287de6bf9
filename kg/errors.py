"""The project's exceptions: the library raises these, the CLI turns them into one-line messages."""

__all__ = ["KGError", "InputError", "RuleError", "GraphError", "QueryError"]


class KGError(Exception):
    """Base class of every error a user can cause; the CLI prints it as one line and exits 1."""


class InputError(KGError):
    """A paper input file is missing, unreadable or malformed.

    The message names the file and, where there is one, the line.
    """

    def __init__(self, path, message, line=None):
        self.path = str(path)
        self.line = line
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")


class RuleError(KGError):
    """A pattern or gazetteer data file is invalid; the message names the file and the rule."""


class GraphError(KGError):
    """A graph file cannot be read, or does not hold what a command needs."""


class QueryError(KGError):
    """A canned query is unknown, malformed, or given unknown or missing parameters."""
