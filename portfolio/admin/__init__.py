"""The staff admin for the portfolio, one module per area."""

from portfolio.admin import portfolio_admin, reminders  # noqa: F401 - registers the model admins
