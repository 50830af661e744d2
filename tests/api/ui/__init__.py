"""The dashboard (/ui) in process."""
