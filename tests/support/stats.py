"""Pearson's chi-square test for uniformity, computed here (no SciPy).

The critical values are the chi-square distribution's upper 0.001 quantiles: a fair
choice fails the test once in a thousand runs, while a choice that sticks to one IP, or
favours one, fails it every time at the sample sizes used.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

SIGNIFICANCE = 0.001
#: Upper 0.001 quantile of chi-square by degrees of freedom (standard tables).
CRITICAL_0_001 = {
    1: 10.828,
    2: 13.816,
    3: 16.266,
    4: 18.467,
    5: 20.515,
    6: 22.458,
    7: 24.322,
    8: 26.124,
    9: 27.877,
    10: 29.588,
}


def chi_square(counts: Counter[str], categories: Iterable[str]) -> float:
    """Pearson's statistic of ``counts`` against a uniform spread over ``categories``."""
    names = list(categories)
    total = sum(counts[name] for name in names)
    expected = total / len(names)
    return sum((counts[name] - expected) ** 2 / expected for name in names)


def assert_uniform(counts: Counter[str], categories: Iterable[str]) -> None:
    """Fail when ``counts`` are not plausibly uniform over ``categories`` (p < 0.001)."""
    names = sorted(categories)
    strays = set(counts) - set(names)
    assert not strays, f"picked outside the set: {sorted(strays)}"
    assert all(counts[name] > 0 for name in names), f"an IP was never used: {dict(counts)}"
    statistic = chi_square(counts, names)
    critical = CRITICAL_0_001[len(names) - 1]
    assert statistic < critical, (
        f"not uniform at significance {SIGNIFICANCE}: chi-square {statistic:.2f} >= "
        f"{critical} with {len(names) - 1} degrees of freedom; counts {dict(counts)}"
    )
