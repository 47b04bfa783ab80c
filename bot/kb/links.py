"""Checking every source URL: async httpx with a concurrency cap, timeouts and redirects.

Each URL is reported as ok, redirected (with where it ends up) or broken (with why); the
result and the check date are stored on the source.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import httpx

USER_AGENT = "pkitbot-linkcheck/0.1 (+https://github.com/)"


@dataclass(frozen=True)
class LinkResult:
    source_id: str
    url: str
    status: str  # ok | redirected | broken
    detail: str


async def _check(client: httpx.AsyncClient, source_id: str, url: str) -> LinkResult:
    try:
        response = await client.head(url)
        if response.status_code in (405, 501):  # HEAD not allowed: ask for the page
            response = await client.get(url)
    except httpx.TimeoutException:
        return LinkResult(source_id, url, "broken", "timed out")
    except httpx.HTTPError as exc:
        return LinkResult(source_id, url, "broken", type(exc).__name__)
    if response.status_code >= 400:
        return LinkResult(source_id, url, "broken", f"HTTP {response.status_code}")
    if response.history:
        return LinkResult(source_id, url, "redirected", f"now at {response.url}")
    return LinkResult(source_id, url, "ok", f"HTTP {response.status_code}")


async def check_links(links: Iterable[tuple[str, str]], *, concurrency: int = 8,
                      timeout: float = 10.0,
                      progress: Callable[[LinkResult], None] | None = None) -> list[LinkResult]:
    """Check (source_id, url) pairs; at most ``concurrency`` requests at once."""
    limit = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(follow_redirects=True, timeout=timeout,
                                 headers={"User-Agent": USER_AGENT}) as client:
        async def one(source_id: str, url: str) -> LinkResult:
            async with limit:
                result = await _check(client, source_id, url)
            if progress is not None:
                progress(result)
            return result

        return list(await asyncio.gather(*(one(s, u) for s, u in links)))
