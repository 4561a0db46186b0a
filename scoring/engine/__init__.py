"""The innovation-score engine: pure, no database, no settings.

``pack.py`` parses a rule pack (scoring/packs/*.yaml, or a database row's data) into frozen
values; ``inputs.py`` is what the engine knows of a firm (its figures, financing, certifications,
distinctions, incidents); ``indicators.py`` computes each indicator's value or names the data it
lacks; ``score.py`` scores a whole cohort at once: percentiles, stage, weights, contributions,
bonus and negative items, completeness. Arithmetic is exact (``Fraction``) until a contribution
is rounded to the cent, and the total is the sum of the rounded lines, so the lines add up.
"""
