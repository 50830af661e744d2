"""ip_periods: two indexes fewer, so that writing a period costs less

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 19:00:00.000000

Every holding, ownership or pool membership a write makes inserts a row into
``ip_periods`` (the triggers of 0006), and each of the table's indexes is one more page
written at a random place: the timeline's indexes were most of what a ``set=specify``
write cost SQLite (issue 11, S3). Two of them served no question the other indexes could
not answer as well:

- ``(address, started_at)``: an address and its sort key name each other (the sort key is
  the address's fixed-width numeric form), so the questions about one address now look it
  up by ``(sort_key, started_at)``, which also serves the range export's order;
- ``(subuser_id)``: no query starts from it. "Did this subuser hold that address then"
  starts from the address; the triggers close a holding by ``(ip_id, ended_at)``.

No data changes: indexes only, on both backends.
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        op.f("ix_ip_periods_sort_key_started_at"), "ip_periods", ["sort_key", "started_at"]
    )
    op.drop_index(op.f("ix_ip_periods_sort_key"), table_name="ip_periods")
    op.drop_index(op.f("ix_ip_periods_address_started_at"), table_name="ip_periods")
    op.drop_index(op.f("ix_ip_periods_subuser_id"), table_name="ip_periods")


def downgrade() -> None:
    op.create_index(op.f("ix_ip_periods_subuser_id"), "ip_periods", ["subuser_id"])
    op.create_index(
        op.f("ix_ip_periods_address_started_at"), "ip_periods", ["address", "started_at"]
    )
    op.create_index(op.f("ix_ip_periods_sort_key"), "ip_periods", ["sort_key"])
    op.drop_index(op.f("ix_ip_periods_sort_key_started_at"), table_name="ip_periods")
