"""The rate limits' counters kept in the gateway process (``RATE_LIMIT_STORAGE_URL``
``memory://``, the default): fixed windows, one count and one end per key.

``limits``' own ``MemoryStorage`` expires keys from a ``threading.Timer`` it starts again
10 ms after the last one ran, on any request: under eventlet each start is a new green
thread through ``threading``'s bootstrap, and with the storage's own bookkeeping that was
about 7 % of the gateway's CPU on a balance read. Here a key's window is checked when the
key is touched, and ended windows are swept when the table grows (every ``sweep_every``
new keys), so memory stays bounded by the callers of the last window without a timer.
Same answers as ``MemoryStorage`` for the fixed-window strategy (``incr``, ``get``,
``get_expiry``): the limiter cannot tell them apart.
"""
from __future__ import annotations

import time
from collections.abc import Callable

from limits.storage import Storage


class ProcessCounters(Storage):
    """Fixed-window counters in a dict; ``clock`` (epoch seconds) decides when windows end."""

    STORAGE_SCHEME = ["timebank-process"]

    def __init__(self, clock: Callable[[], float] = time.time, sweep_every: int = 10_000):
        super().__init__()
        self.clock = clock
        self.sweep_every = sweep_every
        self._windows: dict[str, list] = {}  # key -> [count, window end]
        self._new_keys = 0

    @property
    def base_exceptions(self) -> type[Exception]:
        return ValueError  # nothing here can fail as an unreachable store does

    def _window(self, key: str, now: float) -> list | None:
        window = self._windows.get(key)
        if window is not None and window[1] <= now:
            del self._windows[key]
            return None
        return window

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = self.clock()
        window = self._window(key, now)
        if window is None:
            window = self._windows[key] = [0, now + expiry]
            self._new_keys += 1
            if self._new_keys >= self.sweep_every:
                self.sweep(now)
        window[0] += amount
        return window[0]

    def get(self, key: str) -> int:
        window = self._window(key, self.clock())
        return 0 if window is None else window[0]

    def get_expiry(self, key: str) -> float:
        now = self.clock()
        window = self._window(key, now)
        return now if window is None else window[1]

    def sweep(self, now: float | None = None) -> None:
        """Forget the windows that have ended."""
        now = self.clock() if now is None else now
        for key in [k for k, (_, end) in self._windows.items() if end <= now]:
            del self._windows[key]
        self._new_keys = 0

    def __len__(self) -> int:
        return len(self._windows)

    def check(self) -> bool:
        return True

    def reset(self) -> int:
        count = len(self._windows)
        self._windows.clear()
        return count

    def clear(self, key: str) -> None:
        self._windows.pop(key, None)
