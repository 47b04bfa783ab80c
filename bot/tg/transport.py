"""The HTTP transport to the Bot API: python-telegram-bot's httpx request, with JSON bodies.

python-telegram-bot form-encodes every call (``application/x-www-form-urlencoded``, each
nested value JSON-dumped and then percent-encoded). The Bot API takes ``application/json``
just as well, and for the bot's usual call, an HTML answer with an inline keyboard, the
JSON body is about three times cheaper to build (``benchmarks/throughput.py``). Calls that
upload files still go out as multipart, exactly as python-telegram-bot sends them.
"""

from __future__ import annotations

import httpx
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

JSON_HEADERS = {"User-Agent": HTTPXRequest.USER_AGENT, "Content-Type": "application/json"}


class JSONRequest(HTTPXRequest):
    """``HTTPXRequest`` that posts parameters as a JSON body (files: multipart, unchanged)."""

    __slots__ = ()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send the call; see :meth:`telegram.request.BaseRequest.do_request`."""
        if request_data is None or request_data.contains_files or not request_data.parameters:
            return await super().do_request(url, method, request_data, read_timeout,
                                            write_timeout, connect_timeout, pool_timeout)
        if self._client.is_closed:
            raise RuntimeError("This HTTPXRequest is not initialized!")
        defaults = self._client.timeout
        timeout = httpx.Timeout(
            connect=_pick(connect_timeout, defaults.connect),
            read=_pick(read_timeout, defaults.read),
            write=_pick(write_timeout, defaults.write),
            pool=_pick(pool_timeout, defaults.pool),
        )
        try:
            response = await self._client.request(
                method=method, url=url, headers=JSON_HEADERS, timeout=timeout,
                content=request_data.json_payload)
        except httpx.TimeoutException as err:
            if isinstance(err, httpx.PoolTimeout):
                raise TimedOut(message="Pool timeout: All connections in the connection pool "
                               "are occupied. Request was *not* sent to Telegram.") from err
            raise TimedOut from err
        except httpx.HTTPError as err:
            raise NetworkError(f"httpx.{err.__class__.__name__}: {err}") from err
        return response.status_code, response.content


def _pick(value: ODVInput[float], default: float | None) -> float | None:
    """The call's own timeout, or the client's when the call left it at its default."""
    return default if isinstance(value, DefaultValue) else value
