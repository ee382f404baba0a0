"""The archive: the `Report` type and the on-disk store of reports and their originals."""
from archive.errors import (ArchiveError, ImportFailed, IndexBusy, InvalidField, QueryError,
                            ReportNotFound)
from archive.model import LogEntry, Paragraph, Place, Provenance, Report, Source, heading_paths
from archive.rules import PART_LABELS, PARTS

__all__ = [
    "ArchiveError", "ImportFailed", "IndexBusy", "InvalidField", "QueryError", "ReportNotFound",
    "PARTS", "PART_LABELS", "LogEntry", "Paragraph", "Place", "Provenance", "Report", "Source",
    "heading_paths",
]
