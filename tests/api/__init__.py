"""The HTTP edge in process: the ASGI app driven through httpx, per API version."""
