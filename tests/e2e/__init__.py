"""Real processes: `ipfleet serve` driven by real clients, and the `ipfleet` console script."""
