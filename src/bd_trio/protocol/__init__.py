"""The wire protocol, sans-IO: frames, envelopes, error codes, limits, and bd's JSON-lines RPC.

The Trio server, the blocking client, the async client and the fuzz tests all use these
objects; none of them does I/O. docs/PROTOCOL.md is the specification.
"""
