"""Services and store on a real database (SQLite and PostgreSQL), the CLI-free use cases."""
