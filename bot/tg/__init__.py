"""The Telegram side: handlers that translate updates into engine calls and replies."""
