"""`python -m reportgen` runs the command line."""

from .cli import run

run()
