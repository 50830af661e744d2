"""The dashboard (/ui) in a real Chromium against a real server."""
