"""Server-side sessions and the login throttle (memory only: a restart logs everyone out).

A session is a random token (256 bits) sent as a cookie; the server keeps what it means
(account, role, times). It ends at logout, after ``idle`` seconds without a request or
websocket traffic, and ``lifetime`` seconds after login whatever happens. Only the token's
SHA-256 is kept, so a memory dump does not hand out live cookies.

The throttle counts failed logins per client address and per account name over a window;
past ``free_attempts`` each further try waits ``2**k`` seconds (capped) before any password
is checked, answered 429 with the delay, so a flood costs the attacker time, not the server
argon2 work.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from assises_tui.web.accounts import Account


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


@dataclass
class Session:
    account: Account
    created: float
    last_seen: float
    client: str
    #: Set once the session's app process is running (one app per session at a time).
    app_running: bool = False
    #: Keys of the deliveries the session's app announced (downloads it may fetch).
    deliveries: set[str] = field(default_factory=set)


class SessionStore:
    def __init__(
        self,
        idle: float = 30 * 60,
        lifetime: float = 12 * 3600,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.idle = idle
        self.lifetime = lifetime
        self.clock = clock
        self._sessions: dict[str, Session] = {}

    def create(self, account: Account, client: str) -> str:
        token = secrets.token_urlsafe(32)
        now = self.clock()
        self._sessions[_digest(token)] = Session(account, now, now, client)
        return token

    def get(self, token: str | None, *, touch: bool = True) -> Session | None:
        if not token or len(token) > 100:
            return None
        key = _digest(token)
        session = self._sessions.get(key)
        if session is None:
            return None
        now = self.clock()
        if now - session.last_seen > self.idle or now - session.created > self.lifetime:
            del self._sessions[key]
            return None
        if touch:
            session.last_seen = now
        return session

    def end(self, token: str | None) -> Session | None:
        if not token:
            return None
        return self._sessions.pop(_digest(token), None)

    def end_account(self, name: str) -> int:
        """End every session of an account (removed or password changed)."""
        keys = [k for k, s in self._sessions.items() if s.account.name == name]
        for key in keys:
            del self._sessions[key]
        return len(keys)

    def expired(self) -> list[Session]:
        """Drop and return the sessions past their time (for the audit trail)."""
        now = self.clock()
        gone = [
            k
            for k, s in self._sessions.items()
            if now - s.last_seen > self.idle or now - s.created > self.lifetime
        ]
        return [self._sessions.pop(k) for k in gone]

    def __len__(self) -> int:
        return len(self._sessions)


class LoginThrottle:
    def __init__(
        self,
        free_attempts: int = 5,
        window: float = 15 * 60,
        max_delay: float = 300,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.free_attempts = free_attempts
        self.window = window
        self.max_delay = max_delay
        self.clock = clock
        self._failures: dict[str, list[float]] = {}

    def _recent(self, key: str) -> list[float]:
        now = self.clock()
        times = [t for t in self._failures.get(key, []) if now - t < self.window]
        if times:
            self._failures[key] = times
        else:
            self._failures.pop(key, None)
        return times

    def wait_for(self, *keys: str) -> float:
        """Seconds before another try is allowed for these keys (0: allowed now)."""
        now = self.clock()
        wait = 0.0
        for key in keys:
            times = self._recent(key)
            extra = len(times) - self.free_attempts
            if extra >= 0:
                delay = min(self.max_delay, 2.0 ** min(extra, 20))
                wait = max(wait, times[-1] + delay - now)
        return max(0.0, wait)

    def failed(self, *keys: str) -> None:
        now = self.clock()
        for key in keys:
            self._failures.setdefault(key, []).append(now)
        if len(self._failures) > 10_000:  # a spray of names: forget the oldest
            for key in sorted(self._failures, key=lambda k: self._failures[k][-1])[:5_000]:
                del self._failures[key]

    def succeeded(self, *keys: str) -> None:
        for key in keys:
            self._failures.pop(key, None)
