"""Everything a partner organisation touches: consents, the white list, API keys, loans."""

from partners.models.consents import BankRecommendation, Consent, ConsentQuerySet, consent_in_force_q
from partners.models.keys import AccessLogEntry, ApiKey, ApiKeyQuerySet, IdempotencyRecord
from partners.models.loans import LoanApplication, LoanDecision

__all__ = [
    "AccessLogEntry",
    "ApiKey",
    "ApiKeyQuerySet",
    "BankRecommendation",
    "Consent",
    "ConsentQuerySet",
    "IdempotencyRecord",
    "LoanApplication",
    "LoanDecision",
    "consent_in_force_q",
]
