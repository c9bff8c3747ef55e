"""Moving a deployment's data between databases (``touchstone migrate-data``)."""

from bot.datamove.copy import CopyError, CopyReport, TableCopy, copy_database

__all__ = ["CopyError", "CopyReport", "TableCopy", "copy_database"]
