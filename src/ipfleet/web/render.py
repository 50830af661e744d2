"""The dashboard's templates: Jinja2 from the package, HTML always escaped."""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape


def number(value: int | None) -> str:
    """An integer with thousands separators (``-`` when there is none)."""
    return "-" if value is None else f"{value:,}"


@cache
def environment() -> Environment:
    """The template environment, made once per process."""
    env = Environment(
        loader=PackageLoader("ipfleet.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = number
    return env


def render(template: str, **context: Any) -> str:
    """One page rendered to HTML."""
    return environment().get_template(template).render(**context)
