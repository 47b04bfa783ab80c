"""Updates in, requests out, each update handled once: lifecycle, polling, webhook, HTTP.

Polling (:mod:`~bot.tg.delivery.polling`) and the webhook (:mod:`~bot.tg.delivery.webhook`)
both hand updates to :func:`~bot.tg.delivery.once.handle_once`; requests go out through
:class:`~bot.tg.delivery.http.JSONRequest` and :class:`~bot.tg.delivery.ratelimit.SafeRateLimiter`.
"""

__all__: list[str] = []
