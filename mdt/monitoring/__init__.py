"""The monitoring record of recruitment agencies, brokers and employers: licence status, aliases,
the people behind them, evidence and scores against the criteria of ``criteria.json``, merging two
registry entries (with an undo), and the list of agencies to warn villages about."""
