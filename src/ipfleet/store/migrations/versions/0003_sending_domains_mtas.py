"""sending domains, the MTA of each IP, IPs enabled for sending

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 12:50:00.000000

On SQLite, adding the composite foreign key to ``subusers`` recreates that table (batch
mode: copy, drop, rename). ``env.py`` runs every migration with SQLite's foreign-key
enforcement off and checks the whole database with ``PRAGMA foreign_key_check`` before
committing, so the drop cannot cascade into ``holdings`` (SQLite's documented procedure
for schema changes).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ip_addresses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mta", sa.String(length=32), nullable=True))
        batch_op.add_column(
            sa.Column("enabled", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.create_index(batch_op.f("ix_ip_addresses_mta"), ["mta"], unique=False)

    op.create_table(
        "sending_domains",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("mail_domain", sa.String(length=253), nullable=False),
        sa.Column("url_domain", sa.String(length=253), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_sending_domains_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sending_domains")),
        sa.UniqueConstraint("id", "account_id", name=op.f("uq_sending_domains_id_account_id")),
        sa.UniqueConstraint("mail_domain", name=op.f("uq_sending_domains_mail_domain")),
    )
    with op.batch_alter_table("sending_domains", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sending_domains_account_id"), ["account_id"], unique=False
        )

    with op.batch_alter_table("subusers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sending_domain_id", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_subusers_sending_domain_id"), ["sending_domain_id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_subusers_sending_domain_id_account_id_sending_domains"),
            "sending_domains",
            ["sending_domain_id", "account_id"],
            ["id", "account_id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("subusers", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_subusers_sending_domain_id_account_id_sending_domains"),
            type_="foreignkey",
        )
        batch_op.drop_constraint(batch_op.f("uq_subusers_sending_domain_id"), type_="unique")
        batch_op.drop_column("sending_domain_id")

    with op.batch_alter_table("sending_domains", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sending_domains_account_id"))
    op.drop_table("sending_domains")

    with op.batch_alter_table("ip_addresses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ip_addresses_mta"))
        batch_op.drop_column("enabled")
        batch_op.drop_column("mta")
