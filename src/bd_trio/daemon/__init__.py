"""The per-repository Trio daemon: one writer task owns the database; connection handlers
decode requests and hand them to it over a memory channel (see server.py for the shape)."""
