"""Writes of the figures app: the founder side (founder.py) and the staff side (review.py)."""
