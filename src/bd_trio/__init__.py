"""bd-trio: bd, the issue tracker coding agents use as their memory, served by a Trio daemon."""

__version__ = "0.1.0"

# The bd command-line interface level this package implements. Tools parse this and
# require >= 0.9.0 (docs/CLI.md, `bd version`).
INTERFACE_VERSION = "0.12.0"
