"""Errors that stop a run with a short message instead of a traceback."""

import logging
import sys
from collections.abc import Callable


class RelauditError(Exception):
    """Base class: the message names the file, the row and the fix."""


class ConfigError(RelauditError):
    """A configuration file (config, systems sheet, instrument) is invalid."""


class InputFileError(RelauditError):
    """A raw export file cannot be used (file-level error in the input contract)."""


class ReconciliationError(RelauditError):
    """Rows read do not equal rows accounted for."""


def run_job(main: Callable[[], None], log_file: str) -> None:
    """Run a Snakemake job's `main`, logging to its log file.

    A RelauditError (bad input, bad config) becomes one line on stderr
    naming the file and the fix, and exit status 1: never a bare traceback.
    """
    logging.basicConfig(
        filename=log_file, filemode="w", level=logging.INFO, format="%(levelname)s %(message)s"
    )
    try:
        main()
    except RelauditError as exc:
        logging.getLogger("relaudit").error("%s", exc)
        sys.stderr.write(f"relaudit: {exc}\n")
        sys.exit(1)


class DisclosureError(RelauditError):
    """A published figure lets a reader work out a group smaller than min_group_size."""
