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
    # How many IPs are on the account: kept by the triggers of migration 0010 (read by the
    # quota check and remaining_ips instead of counting the IPs).
    Column("ip_count", Integer, nullable=False, server_default="0"),
)

# One row (id 1): how many IPs are in the platform inventory, on no account. Kept by the
# triggers of migration 0010, as accounts.ip_count is.
inventory_counts = Table(
    "inventory_counts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("free_ips", Integer, nullable=False),
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
    # The MTA the address is plumbed on (domain.sending.MTA_NAME); NULL: on none yet.
    Column("mta", String(32), nullable=True),
    # False: kept on its account but never sent from (the routing rule skips it).
    Column("enabled", Boolean, nullable=False, server_default=true()),
    # False: the account itself does not send from it (its subusers still may).
    Column("parent_assigned", Boolean, nullable=False, server_default=true()),
    # SendGrid's region of the IP ("us" or "eu"): a label ipfleet stores and shows.
    Column("region", String(8), nullable=False, server_default="us"),
    # True: taken from the platform inventory; False: put on its account directly.
    Column("leased", Boolean, nullable=False, server_default=true()),
    UniqueConstraint("id", "account_id"),
    Index(None, "account_id", "sort_key"),
    Index(None, "mta"),
)

# An account's mail domains (SendGrid "whitelabel" records). ``mail_domain`` is unique in
# the whole installation and stored as its lower-case A-label.
sending_domains = Table(
    "sending_domains",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("mail_domain", String(253), nullable=False, unique=True),
    Column("url_domain", String(253), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    UniqueConstraint("id", "account_id"),
    Index(None, "account_id"),
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
    # The one sending domain attached to the subuser. The composite key makes the database
    # refuse another account's domain; the unique one, a domain attached to two subusers.
    Column("sending_domain_id", Integer, nullable=True),
    UniqueConstraint("id", "account_id"),
    UniqueConstraint("sending_domain_id"),
    ForeignKeyConstraint(
        ["sending_domain_id", "account_id"], ["sending_domains.id", "sending_domains.account_id"]
    ),
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

# The timeline (docs/timeline.md). Written only by the triggers of migration 0006, in the
# transaction of the write they describe; no foreign keys: history outlives what it names.
# kind: 'account' (the IP was on the account), 'holding' (a subuser held it), 'pool'.
ip_periods = Table(
    "ip_periods",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(8), nullable=False),
    Column("ip_id", Integer, nullable=False),
    Column("address", String(39), nullable=False),
    Column("sort_key", String(33), nullable=False),
    Column("account_id", Integer, nullable=False),
    Column("account", String(64), nullable=False),
    Column("subuser_id", Integer, nullable=True),
    Column("subuser", String(64), nullable=True),
    Column("pool_id", Integer, nullable=True),
    Column("pool", String(64), nullable=True),
    Column("started_at", UtcDateTime(), nullable=False),
    Column("ended_at", UtcDateTime(), nullable=True),
    # Each index is a page written per period opened: only those a question starts from
    # (migration 0009). An address is looked up by its sort key, which names it.
    Index(None, "sort_key", "started_at"),
    Index(None, "ip_id", "ended_at"),
    Index(None, "account_id", "kind"),
)

# kind: 'state' (value active|inactive), 'domain' (value: the mail domain attached to the
# subuser), 'registered' (no subuser; value: a mail domain the account registered).
holder_periods = Table(
    "holder_periods",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(10), nullable=False),
    Column("subuser_id", Integer, nullable=True),
    Column("subuser", String(64), nullable=True),
    Column("account_id", Integer, nullable=False),
    Column("account", String(64), nullable=False),
    Column("value", String(253), nullable=False),
    Column("started_at", UtcDateTime(), nullable=False),
    Column("ended_at", UtcDateTime(), nullable=True),
    Index(None, "account_id", "kind"),
    Index(None, "subuser_id", "kind"),
    Index(None, "value", "kind"),
)

# SQLite only: the time of the write running now, read by the timeline's triggers
# (PostgreSQL uses the transaction-local setting ipfleet.now instead). One row, id 1.
write_clock = Table(
    "write_clock",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UtcDateTime(), nullable=True),
)

# Operators of the dashboard: a token made by `ipfleet operator create`, stored as a hash.
operators = Table(
    "operators",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("token_id", String(32), nullable=False, unique=True),
    Column("secret_hash", String(64), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("revoked_at", UtcDateTime(), nullable=True),
)

# Secrets the installation makes for itself once (the dashboard's session signing key).
app_secrets = Table(
    "app_secrets",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", String(128), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
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
