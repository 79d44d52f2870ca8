"""The clients' methods, one per operation, made from the typed builders in `requests.py`.

`blocking(builder)` makes a method that sends the built request and returns its typed result;
`awaiting(builder)` one that returns an awaitable of it. So each operation's arguments and
result type are written once (the builder) and both clients get them checked by mypy:
`await client.create(...)` is an `Issue`, and `client.create(...)["id"]` without the await is
a type error. tests/test_clients.py checks that both method lists name every builder.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Generic, ParamSpec, TypeVar, overload

from bd_trio.client import requests as r
from bd_trio.client.requests import Request

P = ParamSpec("P")
T = TypeVar("T")


class blocking(Generic[P, T]):
    def __init__(self, build: Callable[P, Request[T]]) -> None:
        self.build = build
        self.__doc__ = build.__doc__

    @overload
    def __get__(self, obj: None, owner: type) -> blocking[P, T]: ...
    @overload
    def __get__(self, obj: Any, owner: type) -> Callable[P, T]: ...
    def __get__(self, obj: Any, owner: type) -> Any:
        if obj is None:
            return self
        build, send = self.build, obj.send

        def method(*args: P.args, **kwargs: P.kwargs) -> T:
            result: T = send(build(*args, **kwargs))
            return result

        method.__name__ = build.__name__
        method.__doc__ = build.__doc__
        return method


class awaiting(Generic[P, T]):
    def __init__(self, build: Callable[P, Request[T]]) -> None:
        self.build = build
        self.__doc__ = build.__doc__

    @overload
    def __get__(self, obj: None, owner: type) -> awaiting[P, T]: ...
    @overload
    def __get__(self, obj: Any, owner: type) -> Callable[P, Awaitable[T]]: ...
    def __get__(self, obj: Any, owner: type) -> Any:
        if obj is None:
            return self
        build, send = self.build, obj.send

        def method(*args: P.args, **kwargs: P.kwargs) -> Awaitable[T]:
            result: Awaitable[T] = send(build(*args, **kwargs))
            return result

        method.__name__ = build.__name__
        method.__doc__ = build.__doc__
        return method


class BlockingOperations:
    ping = blocking(r.ping)
    health = blocking(r.health)
    flush = blocking(r.flush)
    shutdown = blocking(r.shutdown)
    create = blocking(r.create)
    show = blocking(r.show)
    update = blocking(r.update)
    close_issue = blocking(r.close_issue)
    reopen = blocking(r.reopen)
    events = blocking(r.events)
    list_issues = blocking(r.list_issues)
    ready = blocking(r.ready)
    search = blocking(r.search)
    blocked = blocking(r.blocked)
    stats = blocking(r.stats)
    stale = blocking(r.stale)
    claim = blocking(r.claim)
    heartbeat = blocking(r.heartbeat)
    unclaim = blocking(r.unclaim)
    dep_add = blocking(r.dep_add)
    dep_remove = blocking(r.dep_remove)
    dep_tree = blocking(r.dep_tree)
    dep_cycles = blocking(r.dep_cycles)
    label_add = blocking(r.label_add)
    label_remove = blocking(r.label_remove)
    label_list = blocking(r.label_list)
    label_list_all = blocking(r.label_list_all)
    comments = blocking(r.comments)
    comment_add = blocking(r.comment_add)
    note = blocking(r.note)
    epic_status = blocking(r.epic_status)
    epic_close_eligible = blocking(r.epic_close_eligible)
    export = blocking(r.export)
    export_lines = blocking(r.export_lines)
    import_jsonl = blocking(r.import_jsonl)
    batch = blocking(r.batch)


class AsyncOperations:
    ping = awaiting(r.ping)
    health = awaiting(r.health)
    flush = awaiting(r.flush)
    shutdown = awaiting(r.shutdown)
    create = awaiting(r.create)
    show = awaiting(r.show)
    update = awaiting(r.update)
    close_issue = awaiting(r.close_issue)
    reopen = awaiting(r.reopen)
    events = awaiting(r.events)
    list_issues = awaiting(r.list_issues)
    ready = awaiting(r.ready)
    search = awaiting(r.search)
    blocked = awaiting(r.blocked)
    stats = awaiting(r.stats)
    stale = awaiting(r.stale)
    claim = awaiting(r.claim)
    heartbeat = awaiting(r.heartbeat)
    unclaim = awaiting(r.unclaim)
    dep_add = awaiting(r.dep_add)
    dep_remove = awaiting(r.dep_remove)
    dep_tree = awaiting(r.dep_tree)
    dep_cycles = awaiting(r.dep_cycles)
    label_add = awaiting(r.label_add)
    label_remove = awaiting(r.label_remove)
    label_list = awaiting(r.label_list)
    label_list_all = awaiting(r.label_list_all)
    comments = awaiting(r.comments)
    comment_add = awaiting(r.comment_add)
    note = awaiting(r.note)
    epic_status = awaiting(r.epic_status)
    epic_close_eligible = awaiting(r.epic_close_eligible)
    export = awaiting(r.export)
    export_lines = awaiting(r.export_lines)
    import_jsonl = awaiting(r.import_jsonl)
    batch = awaiting(r.batch)
