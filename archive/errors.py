"""Library exceptions. Each carries a one-line message a user can act on; the CLI prints it,
the web app shows it on a friendly page. Nothing else should escape to a user."""


class ArchiveError(Exception):
    """Base class: str(exc) is a complete, one-line, user-facing message."""


class ImportFailed(ArchiveError):
    """A file could not be turned into a report (unsupported, broken, empty, no text layer…)."""


class ReportNotFound(ArchiveError):
    """No report with that id (or the id is not a valid report id)."""


class InvalidField(ArchiveError):
    """`archive set` / an override names an unknown field or gives an invalid value."""


class QueryError(ArchiveError):
    """A search query could not be parsed; the message says what is wrong and how to fix it."""


class IndexBusy(ArchiveError):
    """Another process holds the index write lock and did not release it in time."""
