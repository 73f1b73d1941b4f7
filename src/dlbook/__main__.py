"""``python -m dlbook``: the command line (see :mod:`dlbook.cli`)."""

from dlbook.cli import run as main

if __name__ == "__main__":
    main()
