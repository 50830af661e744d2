"""The fast paths (answer cache, form parser, group commit, hot reads) answer exactly what the
plain paths answer."""
