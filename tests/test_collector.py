"""The collector pause around big parses and imports: it nests, works across threads, and
leaves the collector as it found it."""

from __future__ import annotations

import gc
import threading

from bd_trio.sync import collector


def test_pauses_nest_and_the_collector_runs_again_after_the_last() -> None:
    assert gc.isenabled()
    with collector.paused():
        assert not gc.isenabled()
        with collector.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_disabled_before_stays_disabled() -> None:
    gc.disable()
    try:
        with collector.paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_pauses_from_several_threads_end_with_the_collector_running() -> None:
    inside = threading.Barrier(4)
    leave = threading.Event()

    def hold() -> None:
        with collector.paused():
            inside.wait(timeout=10)
            leave.wait(timeout=10)

    threads = [threading.Thread(target=hold) for _ in range(3)]
    for thread in threads:
        thread.start()
    inside.wait(timeout=10)
    assert not gc.isenabled()
    leave.set()
    for thread in threads:
        thread.join(timeout=10)
    assert gc.isenabled()


def test_an_error_inside_ends_the_pause() -> None:
    try:
        with collector.paused():
            raise ValueError("bad line")
    except ValueError:
        pass
    assert gc.isenabled()
