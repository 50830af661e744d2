"""send_ips: whether the account itself sends from an IP, its region, whether it was leased

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 16:00:00.000000

``leased`` is true for an IP taken from the platform inventory, false for one put on its
account directly (``ipfleet ip add``, v2 ``customer.ip add``). Rows written before this
revision are told apart by their times: a direct addition stamps ``created_at`` and
``assigned_at`` with the same moment, a take stamps ``assigned_at`` later.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (no batch copy): recreating ip_addresses would break the timeline
    # triggers of 0006 on SQLite, and a constant default needs no copy on either backend.
    op.add_column(
        "ip_addresses",
        sa.Column("parent_assigned", sa.Boolean(), server_default=sa.true(), nullable=False),
    )
    op.add_column(
        "ip_addresses",
        sa.Column("region", sa.String(length=8), server_default="us", nullable=False),
    )
    op.add_column(
        "ip_addresses",
        sa.Column("leased", sa.Boolean(), server_default=sa.true(), nullable=False),
    )
    ips = sa.table(
        "ip_addresses",
        sa.column("leased", sa.Boolean()),
        sa.column("account_id", sa.Integer()),
        sa.column("created_at", sa.DateTime()),
        sa.column("assigned_at", sa.DateTime()),
    )
    op.execute(
        ips.update()
        .where(ips.c.account_id.is_not(None), ips.c.created_at == ips.c.assigned_at)
        .values(leased=False)
    )


def downgrade() -> None:
    for column in ("leased", "region", "parent_assigned"):
        op.execute(f"ALTER TABLE ip_addresses DROP COLUMN {column}")
