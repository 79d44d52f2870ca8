"""SQLite storage: schema and migrations, transactions, row access and graph queries."""

from bd_trio.store.connection import Store

__all__ = ["Store"]
