"""``python -m escalade`` is the command line."""

from escalade.cli import main

main()
