"""Use cases: one function each, ``db`` first, then keyword arguments and domain objects
(an ``Account`` the edge resolved, never an account name).

Every write runs in one ``Database.write(work, actor=..., account=...)`` transaction, which
bumps the account's data version first and owns the change-log rows that ``work`` records,
so a write happens whole or not at all. See docs/architecture.md.
"""
