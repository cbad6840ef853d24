"""`python -m generator` is the same as the `conceptdeck` command."""

from .cli import main

main()
