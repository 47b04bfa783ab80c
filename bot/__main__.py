"""Lets ``python -m bot`` run the same command line as ``pkitbot``."""

from bot.cli import main

if __name__ == "__main__":
    main()
