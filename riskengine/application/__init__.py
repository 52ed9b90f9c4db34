"""The application layer: the use cases (score, screen, ingest, rescore, overrides, merges,
reports), shared by the CLI and the HTTP API, which are thin adapters over it. Knows nothing
of typer, rich or HTTP (tests/test_architecture.py)."""
