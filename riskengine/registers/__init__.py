"""Ownership registers: GLEIF Level 2, Open Ownership BODS and the UK PSC snapshot.

Each reader (``gleif``, ``bods``, ``psc``) streams its files into parties and ties
(``common``), never holding a whole file in memory; ``write`` stores them batch by batch in
the caller's one transaction, with the edition history of the list ingests (a tie a newer
snapshot no longer states ends as of it). Entity ids are ``<source>:<register key>``;
identifiers (LEI, UK company numbers, OGRN, INN) link the parties to listed ones through
the usual merge rules (``riskengine.ingest.merge``).
"""
