"""Pure tests: the domain and renderers with no database, and the docs checked against the code."""
