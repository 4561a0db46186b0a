"""Admin of the figures app (see figures/admin/__init__.py)."""
