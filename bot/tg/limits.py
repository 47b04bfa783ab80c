"""Flood and abuse limits: a sliding one-minute window per key (chat or user).

Past the limit the caller is told to send one notice, then to stay quiet until the window
has room again. Pure logic with an injectable clock, so it is tested without sleeping.
(One vote per user and answer is kept in the database: ``Chats.claim_vote``.)
"""

from __future__ import annotations

import time
from collections import deque
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
