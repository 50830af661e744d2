"""The registry of v2 calls: ``<module>.<action>`` to its handler."""

from __future__ import annotations

from ipfleet.api.v2.customer_calls import CUSTOMER_CALLS
from ipfleet.api.v2.ip_calls import customer_ip, customer_sendip
from ipfleet.api.v2.request import Handler
from ipfleet.api.v2.reseller_calls import reseller_ip
from ipfleet.api.v2.whitelabel_calls import customer_whitelabel

CALLS: dict[str, Handler] = {
    "customer.ip": customer_ip,
    "customer.sendip": customer_sendip,
    "reseller.ip": reseller_ip,
    "customer.whitelabel": customer_whitelabel,
    **CUSTOMER_CALLS,
}
