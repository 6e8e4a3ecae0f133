"""Typed errors: every failure fsnb reports has a class and a message for an operator."""


class FsnbError(Exception):
    """Base class; `str()` is the operator-facing message."""


class ConfigError(FsnbError):
    """A FreeSWITCH/nginx/cloudflared config file cannot be read or understood."""


class TargetError(FsnbError):
    """The target file or its values are wrong."""


class ProtocolError(FsnbError):
    """A peer sent bytes that are not the protocol expected."""


class AccessError(FsnbError):
    """The host, container or socket could not be reached."""


class NotAFile(AccessError):
    """The path exists but is a directory, FIFO, socket or device — not a file to read."""


class CheckTimeout(FsnbError):
    """A check ran past its deadline."""
