"""v2 clients against a real `ipfleet serve`."""
