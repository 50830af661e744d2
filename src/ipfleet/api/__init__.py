"""HTTP APIs: parse, call a service, render. No business rules here."""
