"""Allow ``python -m tender``."""

from tender.cli import cli

cli()
