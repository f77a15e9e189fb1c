"""Running one task over many folders across processes, surviving a worker that dies outright."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def run_parallel(
    task: Callable[[Path], T],
    items: list[Path],
    jobs: int,
    on_done: Callable[[T], None] | None = None,
    on_lost: Callable[[Path], T] | None = None,
) -> list[T]:
    """``task`` over ``items`` across processes when ``jobs`` > 1; results in the order of ``items``.

    ``on_done`` hears of each result as soon as it is ready, for a progress report. A worker that
    dies outright (a crash in a library, the kernel's out-of-memory killer) breaks the whole pool:
    the items it left without a result are run again one process each, so that only the one that
    kills its process fails, with the result ``on_lost`` gives for it.
    """
    report = on_done or (lambda result: None)
    if jobs <= 1 or len(items) <= 1:
        results = []
        for item in items:
            results.append(task(item))
            report(results[-1])
        return results
    done: dict[Path, T] = {}
    with ProcessPoolExecutor(max_workers=min(jobs, len(items))) as pool:
        futures = {pool.submit(task, item): item for item in items}
        for future in as_completed(futures):
            with contextlib.suppress(BrokenProcessPool):
                done[futures[future]] = future.result()
                report(done[futures[future]])
    for item in items:
        if item not in done:
            done[item] = _alone(task, item, on_lost)
            report(done[item])
    return [done[item] for item in items]


def _alone(task: Callable[[Path], T], item: Path, on_lost: Callable[[Path], T] | None) -> T:
    with ProcessPoolExecutor(max_workers=1) as pool:
        try:
            return pool.submit(task, item).result()
        except BrokenProcessPool:
            if on_lost is None:
                raise
            return on_lost(item)
