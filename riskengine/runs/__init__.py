"""Whole-book rescoring runs (issue #5): pure parts only.

``table`` turns the engine's score arrays into stored rows and states, ``changes`` compares
two runs, ``chain`` computes and checks the audit log's hash chain. No I/O here: the store
(``riskengine.store.runs``, ``riskengine.store.audit``) and the CLI do that.
"""
