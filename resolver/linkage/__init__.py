"""Linkage: Splink models that decide which records are the same person, place or incident."""
