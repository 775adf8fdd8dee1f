"""Retention: how long source records are kept (policy), which have run out (plan), and
their removal from every table they reached (apply)."""
