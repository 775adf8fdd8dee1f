"""The algorithmic transparency record (UK ATRS), generated from the running configuration."""
