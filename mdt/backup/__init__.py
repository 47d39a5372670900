"""Backups of a whole installation (the database and the documents' files) and their verified
restore: ``services`` holds the rules, ``commands`` the ``flask backup`` and ``flask restore``
commands."""
