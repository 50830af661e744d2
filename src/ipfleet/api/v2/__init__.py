"""SendGrid Web API v2 (Customer Subuser API), byte for byte: ``spec/sendgrid-v2.md``."""
