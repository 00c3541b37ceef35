"""One polling loop for every wait in the end-to-end tests: against a deadline, never a fixed
sleep as synchronisation; the failure says what was awaited, the state (`describe`) and the last
error a probe raised."""

from __future__ import annotations

import time
from typing import Callable, TypeVar

T = TypeVar("T")


def poll(what: str, probe: Callable[[], T], timeout: float, *, interval: float = 0.05,
         describe: Callable[[], str] | None = None,
         not_yet: tuple[type[BaseException], ...] = (Exception,),
         fatal: tuple[type[BaseException], ...] = (),
         failure: type[Exception] = AssertionError) -> T:
    """Call `probe` until it returns something truthy and return that. Exceptions in `not_yet`
    (but not in `fatal`) count as "not yet"; at the deadline raise `failure`."""
    deadline = time.monotonic() + timeout
    last: BaseException | None = None
    while True:
        try:
            result = probe()
            if result:
                return result
        except fatal:
            raise
        except not_yet as e:
            last = e
        if time.monotonic() >= deadline:
            detail = ""
            if describe:
                try:
                    detail = "\n" + describe()
                except Exception as e:  # noqa: BLE001
                    detail = f"\n(could not describe the state: {e!r})"
            if last:
                detail += f"\nlast error: {last!r}"
            raise failure(f"timed out after {timeout:.1f}s waiting for {what}{detail}")
        time.sleep(interval)
