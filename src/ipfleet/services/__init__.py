"""Use cases: one function each, keyword arguments, the database handle passed in.

Every write runs in one ``Database.write`` transaction that also writes its change-log
rows and bumps the account's data version, so it happens whole or not at all.
"""
