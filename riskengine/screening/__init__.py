"""Fuzzy screening of counterparty names against listed entities (issue #4).

Pure core: ``normalise`` (legal forms, tokens), ``index`` (candidate blocking), ``match``
(scoring and explanations), ``config`` (the tunable numbers of rules/screening.yaml) and
``report`` (result rows, with regime verdicts through a callable). ``evaluate`` builds the
quality evaluation set and is the only module here that reads list files.
"""
