"""subuser profiles, pools, warmup, quota price

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 14:40:18.357968
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pools",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_pools_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pools")),
        sa.UniqueConstraint("account_id", "name", name=op.f("uq_pools_account_id_name")),
        sa.UniqueConstraint("id", "account_id", name=op.f("uq_pools_id_account_id")),
    )
    op.create_table(
        "pool_members",
        sa.Column("pool_id", sa.Integer(), nullable=False),
        sa.Column("ip_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ip_id", "account_id"],
            ["ip_addresses.id", "ip_addresses.account_id"],
            name=op.f("fk_pool_members_ip_id_account_id_ip_addresses"),
        ),
        sa.ForeignKeyConstraint(
            ["pool_id", "account_id"],
            ["pools.id", "pools.account_id"],
            name=op.f("fk_pool_members_pool_id_account_id_pools"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("pool_id", "ip_id", name=op.f("pk_pool_members")),
    )
    with op.batch_alter_table("pool_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pool_members_ip_id"), ["ip_id"], unique=False)

    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("price_per_ip", sa.Float(), nullable=True))

    with op.batch_alter_table("ip_addresses", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("whitelabeled", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("warmup_started_at", sa.DateTime(timezone=True), nullable=True)
        )

    with op.batch_alter_table("subusers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("password_hash", sa.String(length=255), nullable=True))
        batch_op.add_column(
            sa.Column("first_name", sa.String(length=255), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("last_name", sa.String(length=255), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("address", sa.String(length=255), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("address2", sa.String(length=255), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("city", sa.String(length=255), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("state", sa.String(length=255), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("zip", sa.String(length=255), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("country", sa.String(length=255), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("phone", sa.String(length=255), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("website", sa.String(length=255), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("company", sa.String(length=255), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("website_access", sa.Boolean(), server_default=sa.true(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("subusers", schema=None) as batch_op:
        batch_op.drop_column("website_access")
        batch_op.drop_column("company")
        batch_op.drop_column("website")
        batch_op.drop_column("phone")
        batch_op.drop_column("country")
        batch_op.drop_column("zip")
        batch_op.drop_column("state")
        batch_op.drop_column("city")
        batch_op.drop_column("address2")
        batch_op.drop_column("address")
        batch_op.drop_column("last_name")
        batch_op.drop_column("first_name")
        batch_op.drop_column("password_hash")

    with op.batch_alter_table("ip_addresses", schema=None) as batch_op:
        batch_op.drop_column("warmup_started_at")
        batch_op.drop_column("whitelabeled")

    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_column("price_per_ip")

    with op.batch_alter_table("pool_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pool_members_ip_id"))

    op.drop_table("pool_members")
    op.drop_table("pools")
