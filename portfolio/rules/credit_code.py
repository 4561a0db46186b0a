"""Unified social credit code (统一社会信用代码), GB 32100-2015.

18 characters from a 31-character alphabet; the 18th checks the first 17, and positions 9-17
are the organisation code (GB 11714), whose 9th character checks the 8 before it.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # organisation codes use plain base 36


def check_character(first17: str) -> str:
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def organisation_check_character(first8: str) -> str:
    total = sum(_ORG_ALPHABET.index(c) * w for c, w in zip(first8, _ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def credit_code_problem(code: str) -> str | None:
    """Why ``code`` is not a valid credit code, or None when it is."""
    if len(code) != 18:
        return str(
            _("A unified social credit code has 18 characters; this one has %(n)d.") % {"n": len(code)}
        )
    bad = sorted({c for c in code if c not in ALPHABET})
    if bad:
        return str(
            _("Characters %(chars)s are not allowed (the code uses 0-9 and A-Y without I, O, S, V, Z).")
            % {"chars": ", ".join(bad)}
        )
    if code[17] != check_character(code[:17]):
        return str(
            _("The check character is wrong: expected %(expected)s, got %(got)s.")
            % {"expected": check_character(code[:17]), "got": code[17]}
        )
    org = code[8:17]
    if org[8] != organisation_check_character(org[:8]):
        return str(_("The organisation code inside (positions 9-17) fails its own check."))
    return None


def validate_credit_code(value: str) -> None:
    problem = credit_code_problem(value)
    if problem:
        raise ValidationError(problem, code="invalid_credit_code")
