"""Clients of the daemon. `BlockingClient` needs only the stdlib and cbor2; `AsyncClient`
(trio) is imported from `bd_trio.client.asyncclient` so that blocking users never load trio."""

from bd_trio.client.blocking import BlockingClient

__all__ = ["BlockingClient"]
