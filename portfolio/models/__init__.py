from portfolio.models.certifications import (
    Certification,
    CertificationKind,
    Deadline,
    Obligation,
    ObligationWindow,
)
from portfolio.models.financing import FinancingEvent, FinancingParticipant, Programme
from portfolio.models.firms import Contact, Firm, FirmAlias, Milestone, Residency, YearlyFigures
from portfolio.models.incubators import Incubator
from portfolio.models.ladder_inputs import ComplianceIncident, Distinction, InnovationSelfAssessment
from portfolio.models.mentoring import Mentor, ServiceRecord
from portfolio.models.reminders import (
    DeliveryStatus,
    DigestDelivery,
    RecipientKind,
    ReminderDelivery,
)

__all__ = [
    "Certification",
    "CertificationKind",
    "ComplianceIncident",
    "Contact",
    "Deadline",
    "DeliveryStatus",
    "DigestDelivery",
    "Distinction",
    "FinancingEvent",
    "FinancingParticipant",
    "Firm",
    "FirmAlias",
    "Incubator",
    "InnovationSelfAssessment",
    "Mentor",
    "Milestone",
    "Obligation",
    "ObligationWindow",
    "Programme",
    "RecipientKind",
    "ReminderDelivery",
    "Residency",
    "ServiceRecord",
    "YearlyFigures",
]
