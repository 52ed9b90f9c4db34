"""The HTTP service (``riskengine serve``): a thin FastAPI adapter over the application layer.

It never imports the CLI (and the CLI never imports it but to start it); the use cases,
JSON payloads and errors are the application layer's, so the API and ``--format json``
answer with the same documents.
"""
