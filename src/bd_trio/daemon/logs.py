"""The daemon log: `.beads/daemon.log`, rotated at 5 MB, three old files kept."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from bd_trio.terminal import inert

LOGGER_NAME = "bd_trio.daemon"


MAX_BYTES = 5 * 1024 * 1024
BACKUPS = 3


def setup(
    path: Path, *, to_stderr: bool = False, max_bytes: int = MAX_BYTES, backups: int = BACKUPS
) -> logging.Logger:
    logger = logging.getLogger(LOGGER_NAME)
    logger.setLevel(logging.INFO)
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()
    formatter = _InertFormatter("%(asctime)s %(levelname)s %(message)s")
    file_handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=max_bytes, backupCount=backups, encoding="utf-8"
    )
    file_handler.setFormatter(formatter)
    logger.addHandler(file_handler)
    if to_stderr:
        stream = logging.StreamHandler()
        stream.setFormatter(formatter)
        logger.addHandler(stream)
    logger.propagate = False
    return logger


class _InertFormatter(logging.Formatter):
    """Log lines quote data (ids, file errors); read on a terminal (`--foreground`, `tail`),
    their control characters are shown as escapes."""

    def format(self, record: logging.LogRecord) -> str:
        return inert(super().format(record))


def get() -> logging.Logger:
    return logging.getLogger(LOGGER_NAME)
