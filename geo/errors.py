"""The few exception classes a user can meet; each message says what, where, and how to fix it."""

from __future__ import annotations


class VenuemapError(Exception):
    """Base class: any error whose message is written for the user, never a traceback."""


class InputError(VenuemapError):
    """A file or argument cannot be used at all (unreadable, wrong format, missing columns)."""


class CRSError(VenuemapError):
    """A coordinate reference system is missing, unknown, or unfit for the operation."""


class StoreError(VenuemapError):
    """The user's store cannot be opened, read or written."""


class AnalysisError(VenuemapError):
    """Inputs to an analysis are unusable (empty layer, missing population, degrees for metres)."""


class ConflictError(StoreError):
    """A write was based on a stale version of a venue (someone else changed it first).

    The command line exits 3: nothing was written; read the venue again and redo the change.
    """

    exit_code = 3


class StoreBusyError(StoreError):
    """Another writer held the store longer than the busy timeout; retry later (exit 75)."""

    exit_code = 75
