"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-27 14:36:56.999980
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("outbound_cluster", sa.String(length=255), nullable=True),
        sa.Column("ip_quota", sa.Integer(), nullable=True),
        sa.Column("data_version", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        sa.UniqueConstraint("username", name=op.f("uq_accounts_username")),
    )
    op.create_table(
        "change_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=255), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_log")),
    )
    with op.batch_alter_table("change_log", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_change_log_account_id_id"), ["account_id", "id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_change_log_subject"), ["subject"], unique=False)

    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.String(length=22), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_api_keys_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_id", name=op.f("uq_api_keys_key_id")),
    )
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_keys_account_id"), ["account_id"], unique=False)

    op.create_table(
        "ip_addresses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=39), nullable=False),
        sa.Column("sort_key", sa.String(length=33), nullable=False),
        sa.Column("version", sa.SmallInteger(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("hostname", sa.String(length=253), nullable=True),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_ip_addresses_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ip_addresses")),
        sa.UniqueConstraint("address", name=op.f("uq_ip_addresses_address")),
        sa.UniqueConstraint("id", "account_id", name=op.f("uq_ip_addresses_id_account_id")),
        sa.UniqueConstraint("sort_key", name=op.f("uq_ip_addresses_sort_key")),
    )
    with op.batch_alter_table("ip_addresses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ip_addresses_account_id_sort_key"),
            ["account_id", "sort_key"],
            unique=False,
        )

    op.create_table(
        "subusers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=255), server_default="", nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_subusers_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subusers")),
        sa.UniqueConstraint("id", "account_id", name=op.f("uq_subusers_id_account_id")),
        sa.UniqueConstraint("username", name=op.f("uq_subusers_username")),
    )
    with op.batch_alter_table("subusers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_subusers_account_id_username"), ["account_id", "username"], unique=False
        )

    op.create_table(
        "holdings",
        sa.Column("subuser_id", sa.Integer(), nullable=False),
        sa.Column("ip_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ip_id", "account_id"],
            ["ip_addresses.id", "ip_addresses.account_id"],
            name=op.f("fk_holdings_ip_id_account_id_ip_addresses"),
        ),
        sa.ForeignKeyConstraint(
            ["subuser_id", "account_id"],
            ["subusers.id", "subusers.account_id"],
            name=op.f("fk_holdings_subuser_id_account_id_subusers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("subuser_id", "ip_id", name=op.f("pk_holdings")),
    )
    with op.batch_alter_table("holdings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_holdings_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_holdings_ip_id"), ["ip_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("holdings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_holdings_ip_id"))
        batch_op.drop_index(batch_op.f("ix_holdings_account_id"))

    op.drop_table("holdings")
    with op.batch_alter_table("subusers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subusers_account_id_username"))

    op.drop_table("subusers")
    with op.batch_alter_table("ip_addresses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ip_addresses_account_id_sort_key"))

    op.drop_table("ip_addresses")
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_keys_account_id"))

    op.drop_table("api_keys")
    with op.batch_alter_table("change_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_change_log_subject"))
        batch_op.drop_index(batch_op.f("ix_change_log_account_id_id"))

    op.drop_table("change_log")
    op.drop_table("accounts")
