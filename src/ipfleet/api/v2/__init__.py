"""SendGrid Web API v2 (Customer Subuser API), byte for byte: ``docs/v2.md``."""
