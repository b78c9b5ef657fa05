"""The error hierarchy. Messages say what to do; edges (CLI, UI, HTTP) translate them."""


class FactCheckError(Exception):
    """Base class: anything the user can fix or should be told plainly."""

    exit_code = 1


class InputError(FactCheckError):
    """The user's input is empty, too long, or malformed."""

    exit_code = 2


class ConfigError(FactCheckError):
    """A setting or metadata file is invalid."""

    exit_code = 2


class IndexNotReadyError(FactCheckError):
    """No index has been built yet, or the configured store cannot be reached."""

    exit_code = 3


class IndexLockedError(FactCheckError):
    """Another process is writing the index."""

    exit_code = 4
