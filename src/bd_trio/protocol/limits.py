"""Protocol constants."""

PROTOCOL_VERSION = 1
HEADER_SIZE = 4  # big-endian unsigned frame length
MAX_FRAME = 16 * 1024 * 1024  # default maximum payload per request frame (16 MiB)
MAX_RESPONSE_FRAME = 256 * 1024 * 1024  # responses may be larger (an export of a big database)
MAX_NESTING = 64  # deepest CBOR container accepted
DEFAULT_TIMEOUT_MS = 30_000
MAX_TIMEOUT_MS = 24 * 3600 * 1000
# The daemon answers `timeout` itself at the deadline; a client's socket waits this much longer.
SOCKET_GRACE_S = 5.0
