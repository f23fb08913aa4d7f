"""StopFlag: a stop signal that a dead waiting process cannot jam (mp.Event can)."""

from __future__ import annotations

import multiprocessing as mp
import time

from kuzet.runtime.stop_flag import StopFlag


def test_set_never_waits_for_a_waiter_that_died() -> None:
    ctx = mp.get_context("spawn")
    flag = StopFlag(ctx)
    waiter = ctx.Process(target=flag.wait, daemon=True)  # blocks until the flag is set
    waiter.start()
    time.sleep(1.0)
    waiter.kill()  # dies while waiting, as a camera worker's threads can
    waiter.join(5)
    started = time.monotonic()
    flag.set()
    assert flag.is_set() and time.monotonic() - started < 0.5


def test_a_waiting_process_sees_the_flag() -> None:
    ctx = mp.get_context("spawn")
    flag = StopFlag(ctx)
    waiter = ctx.Process(target=flag.wait, daemon=True)
    waiter.start()
    time.sleep(0.5)
    assert waiter.is_alive()
    flag.set()
    waiter.join(5)
    assert waiter.exitcode == 0


def test_wait_times_out() -> None:
    flag = StopFlag()
    started = time.monotonic()
    assert flag.wait(0.2) is False
    assert 0.15 < time.monotonic() - started < 1.0
