"""Errors that stop a run with a short message instead of a traceback."""


class RelauditError(Exception):
    """Base class: the message names the file, the row and the fix."""


class ConfigError(RelauditError):
    """A configuration file (config, systems sheet, instrument) is invalid."""


class InputFileError(RelauditError):
    """A raw export file cannot be used (file-level error in the input contract)."""


class ReconciliationError(RelauditError):
    """Rows read do not equal rows accounted for."""
