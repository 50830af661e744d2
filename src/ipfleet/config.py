"""Typed settings, read from ``IPFLEET_*`` environment variables when asked (never at import)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every setting of ipfleet; each is documented in README.md (a test checks that)."""

    model_config = SettingsConfigDict(env_prefix="IPFLEET_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///./var/ipfleet.db",
        description="SQLAlchemy URL of the database: sqlite:///PATH or postgresql+psycopg://...",
    )
    v2_http_errors: bool = Field(
        default=False,
        description="Answer v2 errors with real HTTP statuses (400/401/404/405/413) "
        "instead of SendGrid's HTTP 200.",
    )
    outbound_cluster: str = Field(
        default="SendGrid MTA",
        description="Outbound cluster name for accounts that do not set their own.",
    )
    default_quota: int | None = Field(
        default=0,
        ge=0,
        description="IP quota of a new account: how many IPs it may hold after its own takes "
        "from the inventory (0: the operator grants IPs explicitly; 'unlimited': no cap).",
    )
    max_body_bytes: int = Field(
        default=1_048_576, ge=1024, description="Largest request body accepted, in bytes."
    )
    max_ips_per_request: int = Field(
        default=10_000, ge=1, description="Most IP addresses one request may name."
    )
    v2_cache_mb: int = Field(
        default=64,
        ge=0,
        description="Memory per worker for cached v2 read answers, in MiB (0 turns it off).",
    )
    v3_cache_mb: int = Field(
        default=32,
        ge=0,
        description="Memory per worker for cached v3 list answers (GET /v3/ips, "
        "/v3/ips/assigned, /v3/subusers), in MiB (0 turns it off).",
    )
    body_timeout_s: float = Field(
        default=15.0,
        gt=0,
        description="Seconds a client has, from the start of its request, to send the "
        "whole request body (a total deadline, not per chunk); then 408.",
    )
    body_min_rate: int = Field(
        default=1024,
        ge=0,
        description="Bytes a second a request body must average after its first 2 s "
        "(0: no minimum); a slower upload is cut with 408.",
    )
    max_in_flight: int = Field(
        default=256,
        ge=2,
        description="Requests one worker serves at once (half of them at most with a "
        "body); past that, 503 with Retry-After at once.",
    )
    auth_failures_per_client: int = Field(
        default=20,
        ge=1,
        description="Failed authentications a client address may make in the window "
        "before it is refused with 429.",
    )
    auth_failures_per_name: int = Field(
        default=10,
        ge=1,
        description="Failed authentications against one name (v2 api_user, v3 key id, "
        "subuser of customer.auth) in the window before it is refused with 429.",
    )
    auth_failure_window_s: float = Field(
        default=60.0,
        gt=0,
        description="Length of the sliding window failed authentications are counted in.",
    )
    password_checks: int = Field(
        default=1,
        ge=1,
        description="Password hashes (scrypt) one worker computes at once; more wait.",
    )
    host: str = Field(default="127.0.0.1", description="Address `ipfleet serve` binds to.")
    port: int = Field(default=8080, ge=0, le=65535, description="Port `ipfleet serve` binds to.")
    workers: int = Field(default=1, ge=1, description="Worker processes of `ipfleet serve`.")
    log_level: str = Field(default="info", description="Log level of the server.")
    log_format: Literal["text", "json"] = Field(
        default="text",
        description="Server log lines as plain text, or one JSON object per line.",
    )
    metrics_token: str | None = Field(
        default=None,
        description="Bearer token /metrics requires; unset: /metrics answers loopback only.",
    )
    metrics_dir: str | None = Field(
        default=None,
        description="Directory where `ipfleet serve` workers keep their metrics (emptied at "
        "start); unset: a fresh temporary directory.",
    )
    access_log: bool = Field(
        default=False, description="Log every HTTP request (id, route, status, duration, actor)."
    )
    secret_key: str | None = Field(
        default=None,
        min_length=32,
        description="Key that signs dashboard sessions (32+ characters); when unset, one is "
        "made once and kept in the database.",
    )
    session_hours: int = Field(
        default=12, ge=1, le=24 * 30, description="Hours a dashboard sign-in lasts."
    )

    @field_validator("default_quota", mode="before")
    @classmethod
    def _unlimited(cls, value: Any) -> Any:
        return None if isinstance(value, str) and value.strip().lower() == "unlimited" else value


def load_settings() -> Settings:
    """Read the settings from the environment now."""
    return Settings()
