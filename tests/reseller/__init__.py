"""Reseller self-service (issue 3): v2 customer.* and reseller.ip, the IP inventory."""
