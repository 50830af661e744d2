"""The operator's command line: Typer commands that call services."""
