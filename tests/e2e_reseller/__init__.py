"""End to end: the reseller client flow against a real `ipfleet serve` process."""
