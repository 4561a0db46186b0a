"""The emails of figures requests (invitations, reminders, receipts, sent-back notes, the liaison's
note of firms still missing) and the managers' reminder of the Torch filing window.

Each is a row before it is a message, recorded once (unique constraints), then sent by the
reminders' outbox (portfolio/services/reminders/: hand-over on commit, claim under a row lock and
a lease, send, record the outcome, retry), which this package declares its two models to.

Modules: ``record`` (the emails staff and founders cause: invitation, receipt, sent back),
``passes`` (the daily passes: reminders and liaison notes, the Torch filing reminder),
``recipients`` (who is mailed), ``rendering`` (what the emails say, what is refused at claim
time), ``rules`` (the days, from figures/rules/requests.yaml).
"""

from figures.emails.passes import FiguresPassResult, figures_reminder_pass, torch_filing_reminder_pass
from figures.emails.record import (
    Recorded,
    figures_invitations_record,
    figures_receipt_record,
    figures_returned_record,
)
from figures.emails.rendering import (
    figures_email_context,
    figures_email_refusals,
    figures_emails_with_content,
    torch_filing_context,
    torch_filing_emails_with_content,
    torch_filing_refusals,
)
from figures.models import FiguresEmail, TorchFilingEmail
from portfolio.services.reminders import OutboundKind, register

FIGURES_EMAIL = register(
    OutboundKind(
        model=FiguresEmail,
        task="figures.tasks.deliver_figures_emails",
        message_id_prefix="figures",
        template=lambda row: f"figures/email/{row.kind}",
        context=figures_email_context,
        related=figures_emails_with_content,
        refusals=figures_email_refusals,
    )
)

TORCH_FILING_EMAIL = register(
    OutboundKind(
        model=TorchFilingEmail,
        task="figures.tasks.deliver_torch_filing_emails",
        message_id_prefix="torch-filing",
        template=lambda row: "figures/email/torch_filing",
        context=torch_filing_context,
        related=torch_filing_emails_with_content,
        refusals=torch_filing_refusals,
    )
)

__all__ = [
    "FIGURES_EMAIL",
    "TORCH_FILING_EMAIL",
    "FiguresPassResult",
    "Recorded",
    "figures_invitations_record",
    "figures_receipt_record",
    "figures_reminder_pass",
    "figures_returned_record",
    "torch_filing_reminder_pass",
]
