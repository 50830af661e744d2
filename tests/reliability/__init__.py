"""The reliability harness (docs/reliability.md): isolation, bad input, faults, crashes."""
