"""ipfleet's tests, laid out by the layer they exercise (see tests/support for shared helpers).

Every folder is a package so that each module has a unique dotted name (two ``conftest.py``
never clash) and shared helpers import as ``tests.support.<module>`` with no path edits.
"""
