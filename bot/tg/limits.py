"""Flood and abuse limits: a sliding one-minute window per key (chat or user), and votes
counted once per user and answer.

Past the limit the caller is told to send one notice, then to stay quiet until the window
has room again. Pure logic with an injectable clock, so it is tested without sleeping.
:class:`FirstTime` remembers what was seen (in memory, bounded), so one user's repeated 👎
on the same answer is recorded once.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable
from enum import Enum


class Verdict(Enum):
    ALLOW = "allow"
    NOTICE = "notice"  # over the limit: say so, once
    SILENT = "silent"  # over the limit and already told


class RateGate:
    """At most ``limit`` events per ``window`` seconds for each key."""

    def __init__(self, limit: int, window: float = 60.0,
                 clock: Callable[[], float] = time.monotonic, max_keys: int = 100_000):
        self.limit = limit
        self.window = window
        self.clock = clock
        self.max_keys = max_keys
        self._events: dict[object, deque[float]] = {}
        self._told: set[object] = set()

    def check(self, key: object) -> Verdict:
        now = self.clock()
        events = self._events.get(key)
        if events is None:
            if len(self._events) >= self.max_keys:
                self._prune(now)
            events = self._events[key] = deque()
        while events and now - events[0] >= self.window:
            events.popleft()
        if len(events) < self.limit:
            events.append(now)
            self._told.discard(key)
            return Verdict.ALLOW
        if key in self._told:
            return Verdict.SILENT
        self._told.add(key)
        return Verdict.NOTICE

    def _prune(self, now: float) -> None:
        for key in [k for k, ev in self._events.items() if not ev or now - ev[-1] >= self.window]:
            del self._events[key]
            self._told.discard(key)


class FirstTime:
    """Which keys were seen before; the oldest are forgotten past ``max_keys``."""

    def __init__(self, max_keys: int = 200_000) -> None:
        self.max_keys = max_keys
        self._seen: OrderedDict[object, None] = OrderedDict()

    def first(self, key: object) -> bool:
        """True the first time ``key`` is seen (and remember it), False after."""
        if key in self._seen:
            return False
        self._seen[key] = None
        if len(self._seen) > self.max_keys:
            self._seen.popitem(last=False)
        return True
