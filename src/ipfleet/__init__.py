"""ipfleet: the control plane for an email platform's outbound IP addresses."""

__version__ = "0.1.0"
