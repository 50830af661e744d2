"""The v3 API answered by the app in process."""
