"""The one error tree of ipfleet.

Every failure a caller can cause is an ``IpfleetError`` with a stable ``code``. The kinds
(``NotFound``, ``Conflict``, ``Invalid``, ``Forbidden``, ``Unauthorized``, ``TooLarge``,
``Unavailable``: refused for now, retry after ``retry_after`` seconds) say what went wrong
in general; each API maps them to its own wire shape in one place (``api/v2/errors.py``
for SendGrid v2), the CLI maps them to exit codes. ``details`` holds
one human sentence per offending item (an address, a parameter), for errors that name
several at once. Every code here is documented in ``docs/errors.md``; a test checks that.
"""

from __future__ import annotations

from collections.abc import Iterable


def summary(details: tuple[str, ...] | list[str], most: int = 5) -> str:
    """The first few details joined, and how many more there are."""
    shown = "; ".join(details[:most])
    rest = len(details) - most
    return f"{shown}; and {rest} more" if rest > 0 else shown


class IpfleetError(Exception):
    """Base of every error a caller can cause."""

    code = "error"
    #: The request field the error is about, for APIs whose error shape names one.
    field: str | None = None

    def __init__(self, message: str, details: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.details: tuple[str, ...] = tuple(details)


class NotFound(IpfleetError):
    """Something named does not exist (or is not visible to the caller)."""


class Conflict(IpfleetError):
    """The request contradicts the current state."""


class Invalid(IpfleetError):
    """The request is malformed or asks for something impossible."""


class Forbidden(IpfleetError):
    """The caller is known but may not do this."""


class Unauthorized(IpfleetError):
    """The caller's credentials are missing or wrong."""


class TooLarge(IpfleetError):
    """The request exceeds a size limit."""


class Unavailable(IpfleetError):
    """The request cannot be served now; the caller may retry after ``retry_after`` s."""

    retry_after = 1


class BadCredentials(Unauthorized):
    code = "bad_credentials"

    def __init__(self) -> None:
        super().__init__("Permission denied, wrong credentials")


class WrongPassword(Invalid):
    """A subuser's own username and password do not match (v2 ``customer.auth``)."""

    code = "wrong_password"

    def __init__(self) -> None:
        super().__init__("Invalid username and/or password")


class AccountNotFound(NotFound):
    code = "account_not_found"

    def __init__(self, username: str) -> None:
        super().__init__(f"Account does not exist: {username}")


class SubuserNotFound(NotFound):
    code = "subuser_not_found"

    def __init__(self) -> None:
        super().__init__("User does not exist")


class KeyNotFound(NotFound):
    code = "key_not_found"

    def __init__(self, key_id: str) -> None:
        super().__init__(f"API key does not exist: {key_id}")


class UnknownCall(NotFound):
    code = "unknown_call"


class AccountExists(Conflict):
    code = "account_exists"

    def __init__(self, username: str) -> None:
        super().__init__(f"Account already exists: {username}")


class SubuserExists(Conflict):
    code = "subuser_exists"

    def __init__(self) -> None:
        super().__init__("Username already exists")


class AddressInUse(Conflict):
    """Addresses that are already on another account."""

    code = "address_in_use"

    def __init__(self, addresses: Iterable[str]) -> None:
        details = [f"IP address is already on another account: {a}" for a in addresses]
        super().__init__(summary(details), details)


class AddressTaken(Conflict):
    """Addresses that subusers still hold."""

    code = "address_taken"

    def __init__(self, addresses: Iterable[str]) -> None:
        details = [f"IP address is held by subusers: {a}" for a in addresses]
        super().__init__(summary(details), details)


class AddressRejected(Invalid):
    """Addresses that are malformed or not on the caller's account; one detail each."""

    code = "address_rejected"

    def __init__(self, details: Iterable[str]) -> None:
        items = tuple(details)
        super().__init__(summary(items), items)


class MissingParameter(Invalid):
    code = "missing_parameter"

    def __init__(self, names: Iterable[str]) -> None:
        self.names = tuple(names)
        details = [f"Missing required parameter: {n}" for n in self.names]
        super().__init__(summary(details), details)


class InvalidParameter(Invalid):
    code = "invalid_parameter"

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"Invalid {name} parameter")


class InvalidValue(Invalid):
    """A value that breaks a rule other than the ones above (names, limits, ranges)."""

    code = "invalid_value"


class EmptyIpSet(Invalid):
    code = "empty_ip_set"

    def __init__(self) -> None:
        super().__init__("You need to assign at least ONE IP to your subuser")


class NotEnoughIps(Invalid):
    """A take from the inventory that the inventory or the quota cannot cover."""

    code = "not_enough_ips"


class RangeTooLarge(Invalid):
    code = "range_too_large"


class TooManyAddresses(TooLarge):
    code = "too_many_addresses"

    def __init__(self, limit: int) -> None:
        super().__init__(f"Too many IP addresses in one request (at most {limit})")


class PayloadTooLarge(TooLarge):
    code = "payload_too_large"

    def __init__(self, limit: int) -> None:
        super().__init__(f"Request body too large (at most {limit} bytes)")


class TooManyFields(TooLarge):
    code = "too_many_fields"

    def __init__(self, limit: int, where: str = "in one request") -> None:
        super().__init__(f"Too many form fields {where} (at most {limit})")


class BodyTimeout(Invalid):
    code = "body_timeout"

    def __init__(self) -> None:
        super().__init__("Request body not received in time")


class TooManyFailures(Unavailable):
    code = "too_many_failures"

    def __init__(self, retry_after: int) -> None:
        super().__init__("Too many failed authentications; retry later")
        self.retry_after = max(1, retry_after)


class Busy(Unavailable):
    code = "busy"

    def __init__(self) -> None:
        super().__init__("Server busy; retry later")


class MethodNotAllowed(Invalid):
    code = "method_not_allowed"

    def __init__(self, method: str) -> None:
        super().__init__(f"Method not allowed: {method}")


# Pools, warmup, key rotation and On-Behalf-Of (served through v3).


class PoolNotFound(NotFound):
    code = "pool_not_found"
    field = "pool_name"

    def __init__(self, name: str) -> None:
        # SendGrid's own words, which clients may compare; ``name`` stays on the error.
        super().__init__("Unable to locate specified IPs Pool")
        self.name = name


class PoolExists(Conflict):
    code = "pool_exists"
    field = "name"

    def __init__(self, name: str) -> None:
        super().__init__(f"A pool with this name already exists: {name}")


class IpNotFound(NotFound):
    """An address that is not on the caller's account (or not visible to the subuser)."""

    code = "ip_not_found"

    field = "ip"

    def __init__(self, address: str) -> None:
        super().__init__(f"IP address not found: {address}")


class IpNotInPool(NotFound):
    code = "ip_not_in_pool"
    field = "ip"

    def __init__(self, address: str, pool: str) -> None:
        super().__init__(f"IP address {address} is not in pool {pool}")


class IpAlreadyInPool(Conflict):
    code = "ip_already_in_pool"
    field = "ip"

    def __init__(self, address: str, pool: str) -> None:
        super().__init__(f"IP address {address} is already in pool {pool}")


class WarmupStarted(Conflict):
    code = "warmup_started"
    field = "ip"

    def __init__(self, address: str) -> None:
        super().__init__(f"IP address is already warming up: {address}")


class NotWarmingUp(NotFound):
    code = "not_warming_up"
    field = "ip"

    def __init__(self, address: str) -> None:
        super().__init__(f"IP address is not warming up: {address}")


class LastKey(Conflict):
    code = "last_key"
    field = "api_key_id"

    def __init__(self) -> None:
        super().__init__("Cannot delete the account's last API key; create its replacement first")


class OnBehalfOfRefused(Forbidden):
    """On-Behalf-Of names no subuser of the caller's account (whoever else it may be)."""

    code = "on_behalf_of_refused"

    def __init__(self, username: str) -> None:
        super().__init__(f"On-Behalf-Of names no subuser of this account: {username}")


class ParentOnly(Forbidden):
    """A call only the account itself may make, sent On-Behalf-Of a subuser."""

    code = "parent_only"

    def __init__(self) -> None:
        super().__init__("This call is not available On-Behalf-Of a subuser")


class BadPoolName(Invalid):
    code = "bad_pool_name"
    field = "name"


class UnknownSubusers(Invalid):
    """Subusers named in a request that are not the caller's (SendGrid's 400 wording)."""

    code = "unknown_subusers"

    field = "subusers"

    def __init__(self, names: list[str]) -> None:
        super().__init__("one or more subusers do not belong to this user: " + ", ".join(names))
        self.names = names


# /v3/send_ips (SendGrid's IP Address Management API): its own words, field by field.


class SendIpsBadValue(Invalid):
    """A /v3/send_ips parameter with a value that cannot be used (SendGrid's 400)."""

    code = "send_ips_bad_value"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class PoolIdNotFound(NotFound):
    """A pool id that names no pool of the caller's account."""

    code = "pool_id_not_found"
    field = "poolid"

    def __init__(self) -> None:
        super().__init__("not found")


class IpsNotInPool(Invalid):
    code = "ips_not_in_pool"
    field = "ips"

    def __init__(self, pool: str, addresses: list[str]) -> None:
        super().__init__(f"not found in pool '{pool}': " + ", ".join(addresses))


class LastIpOfSubusers(Conflict):
    """Taking a subuser's last IP away, which ipfleet would read as "every IP"."""

    code = "last_ip_of_subusers"
    field = "subusers"

    def __init__(self, ids: list[str]) -> None:
        super().__init__(
            "this is the only IP of these subusers (a subuser holding no IP sends from every"
            " IP of the account): " + ", ".join(ids)
        )


class BackupFailed(Invalid):
    """A backup or restore that cannot be made (no pg_dump, a bad file, a taken path)."""

    code = "backup_failed"


class DatabaseNotEmpty(Conflict):
    code = "database_not_empty"

    def __init__(self, where: str) -> None:
        super().__init__(f"the database at {where} holds data: restore only into an empty database")


# Sending domains and MTAs (the data plane).


class BadMailDomain(Invalid):
    code = "bad_mail_domain"
    field = "mail_domain"

    def __init__(self, text: str) -> None:
        super().__init__(f"Invalid mail domain: {text}")


class MailDomainTaken(Conflict):
    """A mail domain registered already (by this account or by another: not said which)."""

    code = "mail_domain_taken"
    field = "mail_domain"

    def __init__(self, domain: str) -> None:
        super().__init__(f"Mail domain is already registered: {domain}")


class WhitelabelNotFound(NotFound):
    """A mail domain that is not one of the caller's records (unknown or another's)."""

    code = "whitelabel_not_found"
    field = "mail_domain"

    def __init__(self, domain: str) -> None:
        super().__init__(f"Whitelabel record not found: {domain}")


class BadMtaName(Invalid):
    code = "bad_mta_name"
    field = "mta"

    def __init__(self, name: str) -> None:
        super().__init__(f"Invalid MTA name (1-32 letters, digits, '-' or '_'): {name}")


class OperatorExists(Conflict):
    code = "operator_exists"

    def __init__(self, name: str) -> None:
        super().__init__(f"Operator already exists: {name}")


class OperatorNotFound(NotFound):
    code = "operator_not_found"

    def __init__(self, name: str) -> None:
        super().__init__(f"Operator does not exist: {name}")


class CsrfRefused(Forbidden):
    """A dashboard form posted without the session's CSRF token (or with another one)."""

    code = "csrf_refused"

    def __init__(self) -> None:
        super().__init__("The form has expired or did not come from this dashboard; reload it")


def all_error_classes() -> list[type[IpfleetError]]:
    """Every concrete error class (those with their own code), for docs and tests."""
    found: list[type[IpfleetError]] = []
    stack: list[type[IpfleetError]] = [IpfleetError]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if "code" in vars(cls) and cls is not IpfleetError:
            found.append(cls)
    return sorted(found, key=lambda c: c.code)
