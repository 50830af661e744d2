"""The dashboard: server-rendered pages under ``/ui/`` over the same services as the APIs."""
