"""``python -m layout``."""

from .cli import main

main()
