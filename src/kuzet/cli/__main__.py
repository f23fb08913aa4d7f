"""``python -m kuzet.cli``."""

from kuzet.cli import main

main()
