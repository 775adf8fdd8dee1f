"""resolver: read source extracts, map and standardise them, validate, and link them."""
