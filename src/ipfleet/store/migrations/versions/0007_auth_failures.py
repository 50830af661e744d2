"""auth_failures: the shared sliding window of failed authentications

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 12:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "auth_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_failures")),
    )
    op.create_index(op.f("ix_auth_failures_name_at"), "auth_failures", ["name", "at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_auth_failures_name_at"), table_name="auth_failures")
    op.drop_table("auth_failures")
