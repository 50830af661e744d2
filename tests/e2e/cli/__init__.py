"""The installed `ipfleet` console script on a real database, as an operator runs it."""
