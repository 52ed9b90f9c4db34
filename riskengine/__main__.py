"""`python -m riskengine` runs the CLI."""

from riskengine.cli.app import main

main()
