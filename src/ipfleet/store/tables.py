"""The schema, as SQLAlchemy Core tables (the migrations create exactly this)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    TypeDecorator,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.engine import Dialect

from ipfleet.domain.records import PROFILE_FIELDS

__all__ = ["PROFILE_FIELDS", "metadata"]


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp that reads back in UTC on both backends (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
    }
)

accounts = Table(
    "accounts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("outbound_cluster", String(255), nullable=True),
    Column("ip_quota", Integer, nullable=True),
    Column("price_per_ip", Float, nullable=True),
    # Bumped by every write transaction on the account's data; readers cache on it.
    Column("data_version", Integer, nullable=False, server_default="0"),
    Column("created_at", UtcDateTime(), nullable=False),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    # The public middle part of an SG.<key_id>.<secret> key; the secret is stored hashed.
    Column("key_id", String(22), nullable=False, unique=True),
    Column("secret_hash", String(64), nullable=False),
    Column("name", String(100), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("revoked_at", UtcDateTime(), nullable=True),
    Index(None, "account_id"),
)

ip_addresses = Table(
    "ip_addresses",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("address", String(39), nullable=False, unique=True),
    Column("sort_key", String(33), nullable=False, unique=True),
    Column("version", SmallInteger, nullable=False),
    # NULL: in the platform inventory, on no account.
    Column("account_id", ForeignKey("accounts.id"), nullable=True),
    Column("hostname", String(253), nullable=True),
    Column("assigned_at", UtcDateTime(), nullable=True),
    Column("whitelabeled", Boolean, nullable=False, server_default=false()),
    Column("warmup_started_at", UtcDateTime(), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    UniqueConstraint("id", "account_id"),
    Index(None, "account_id", "sort_key"),
)

subusers = Table(
    "subusers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("username", String(64), nullable=False, unique=True),
    Column("email", String(255), nullable=False, server_default=""),
    Column("active", Boolean, nullable=False, server_default=true()),
    # A slow hash (scrypt) of the subuser's own password; NULL until one is set.
    Column("password_hash", String(255), nullable=True),
    *(Column(name, String(255), nullable=False, server_default="") for name in PROFILE_FIELDS),
    Column("website_access", Boolean, nullable=False, server_default=true()),
    Column("created_at", UtcDateTime(), nullable=False),
    UniqueConstraint("id", "account_id"),
    Index(None, "account_id", "username"),
)

# The composite foreign keys make the database itself refuse a holding between a subuser
# and an IP of different accounts, and refuse moving a held IP to another account.
holdings = Table(
    "holdings",
    metadata,
    Column("subuser_id", Integer, primary_key=True),
    Column("ip_id", Integer, primary_key=True),
    Column("account_id", Integer, nullable=False),
    ForeignKeyConstraint(
        ["subuser_id", "account_id"],
        ["subusers.id", "subusers.account_id"],
        ondelete="CASCADE",
    ),
    ForeignKeyConstraint(["ip_id", "account_id"], ["ip_addresses.id", "ip_addresses.account_id"]),
    Index(None, "ip_id"),
    Index(None, "account_id"),
)

change_log = Table(
    "change_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UtcDateTime(), nullable=False),
    Column("actor", String(255), nullable=False),
    Column("request_id", String(64), nullable=False),
    # No foreign key: history outlives what it describes.
    Column("account_id", Integer, nullable=True),
    Column("action", String(64), nullable=False),
    Column("subject", String(255), nullable=False),
    Column("before", JSON, nullable=True),
    Column("after", JSON, nullable=True),
    Index(None, "account_id", "id"),
    Index(None, "subject"),
)

pools = Table(
    "pools",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(64), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    UniqueConstraint("account_id", "name"),
    UniqueConstraint("id", "account_id"),
)

# As with holdings: a pool holds only IPs of its own account, enforced by the database.
pool_members = Table(
    "pool_members",
    metadata,
    Column("pool_id", Integer, primary_key=True),
    Column("ip_id", Integer, primary_key=True),
    Column("account_id", Integer, nullable=False),
    ForeignKeyConstraint(
        ["pool_id", "account_id"], ["pools.id", "pools.account_id"], ondelete="CASCADE"
    ),
    ForeignKeyConstraint(["ip_id", "account_id"], ["ip_addresses.id", "ip_addresses.account_id"]),
    Index(None, "ip_id"),
)

# Failed authentications, one row per counted name (client address, account name, key id,
# subuser) and failure: the sliding window every worker and node shares (store/failures.py).
# Security counters, not tenant data: written outside the change log, pruned as they age.
auth_failures = Table(
    "auth_failures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(300), nullable=False),
    Column("at", Float, nullable=False),  # seconds since the epoch
    Index(None, "name", "at"),
)
