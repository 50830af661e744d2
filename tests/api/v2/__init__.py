"""SendGrid v2 (and the v2 reseller calls) answered by the app in process."""
