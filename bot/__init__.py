"""pkitbot: sourced answers about Pakistan's IT sector, on Telegram and the command line."""

__version__ = "0.1.0"
