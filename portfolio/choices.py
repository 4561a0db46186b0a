"""Choice lists shared by the portfolio's models, admin, API and fixtures."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DatePrecision(models.TextChoices):
    DAY = "day", _("Exact day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")
    APPROXIMATE = "approximate", _("Approximate")


class AmountPrecision(models.TextChoices):
    EXACT = "exact", _("Exact")
    APPROXIMATE = "approximate", _("Approximate")
    AT_LEAST = "at_least", _("At least")
    ORDER_OF_MAGNITUDE = "order_of_magnitude", _("Order of magnitude")
    UNKNOWN = "unknown", _("Unknown")


class IncubatorKind(models.TextChoices):
    INCUBATOR = "incubator", _("Incubator")
    MAKER_SPACE = "maker_space", _("Maker space")
    ACCELERATOR = "accelerator", _("Accelerator")
    INDUSTRIAL_PARK = "industrial_park", _("Industrial park")


class IncubatorLevel(models.TextChoices):
    DISTRICT = "district", _("District")
    CITY = "city", _("City")
    PROVINCIAL = "provincial", _("Provincial")
    NATIONAL = "national", _("National")


class TechField(models.TextChoices):
    """The eight fields of the state's key-supported high and new technology list."""

    ELECTRONIC_INFORMATION = "electronic_information", _("Electronic information")
    BIOMEDICINE = "biomedicine", _("Biomedicine and medical devices")
    AEROSPACE = "aerospace", _("Aerospace")
    NEW_MATERIALS = "new_materials", _("New materials")
    HIGH_TECH_SERVICES = "high_tech_services", _("High-tech services")
    NEW_ENERGY = "new_energy", _("New energy and energy saving")
    RESOURCES_ENVIRONMENT = "resources_environment", _("Resources and environment")
    ADVANCED_MANUFACTURING = "advanced_manufacturing", _("Advanced manufacturing and automation")
    OTHER = "other", _("Other")


class ExitReason(models.TextChoices):
    HNTE_CERTIFIED = "hnte_certified", _("Graduated: certified high-tech enterprise")
    INVESTMENT = "investment_over_5m", _("Graduated: angel/VC investment over 5M CNY")
    REVENUE = "revenue_over_10m", _("Graduated: revenue over 10M CNY over two years")
    ACQUIRED_OR_LISTED = "acquired_or_listed", _("Graduated: acquired, listed or quoted")
    MOVED_OUT = "moved_out", _("Moved out")
    FAILED = "failed", _("Failed or closed")


GRADUATION_REASONS = frozenset(
    {ExitReason.HNTE_CERTIFIED, ExitReason.INVESTMENT, ExitReason.REVENUE, ExitReason.ACQUIRED_OR_LISTED}
)


class CertificationStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    APPLYING = "applying", _("Applying")
    GRANTED = "granted", _("Granted")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")
    REJECTED = "rejected", _("Rejected")


class ObligationSchedule(models.TextChoices):
    BEFORE_EXPIRY = "before_expiry", _("Before expiry")
    YEARLY = "yearly", _("Yearly on a fixed date")
    ANNIVERSARY = "anniversary", _("Yearly on the anniversary of the issue date")


class DeadlineStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CLOSED = "closed", _("Closed (superseded)")


class FinancingKind(models.TextChoices):
    EQUITY = "equity", _("Equity")
    LOAN = "loan", _("Loan")
    GOVERNMENT = "government", _("Government funding")
    INSURANCE = "insurance", _("Insurance")
    OTHER = "other", _("Other")


class Instrument(models.TextChoices):
    ANGEL = "angel", _("Angel round")
    SEED = "seed", _("Seed round")
    ROUND_A = "a", _("A round")
    ROUND_B = "b", _("B round")
    ROUND_C = "c", _("C round")
    STRATEGIC = "strategic", _("Strategic round")
    REHAB_LOAN = "rehab_loan", _("Rehab loan")
    SCIENCE_CREDIT = "science_credit", _("Science credit (risk-compensated)")
    IP_PLEDGE = "ip_pledge", _("IP-pledge loan")
    GUARANTEED_LOAN = "guaranteed_loan", _("Guaranteed loan")
    BRIDGE = "bridge", _("Bridge / credit-turnover fund")
    ACHIEVEMENT_LOAN = "achievement_loan", _("Tech-achievement transformation loan")
    CREDIT = "credit", _("Credit loan or credit line")
    SHUOGUOJIN = "shuoguojin", _("Shuoguojin (fiscal equity plus grant)")
    GRANT = "grant", _("Government grant or subsidy")
    VOUCHER = "voucher", _("Innovation voucher")
    FIRST_OF_KIND_INSURANCE = "first_of_kind_insurance", _("First-of-a-kind equipment insurance")
    OTHER = "other", _("Other")


class LoanStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    APPROVED = "approved", _("Approved")
    DISBURSED = "disbursed", _("Disbursed")
    REJECTED = "rejected", _("Rejected")
    REPAID = "repaid", _("Repaid")
    DEFAULTED = "defaulted", _("Defaulted")
    COMPENSATED = "compensated", _("Compensated by a risk fund")


class InstitutionRole(models.TextChoices):
    LEAD_INVESTOR = "lead_investor", _("Lead investor")
    INVESTOR = "investor", _("Investor")
    LENDER = "lender", _("Lender")
    INSURER = "insurer", _("Insurer")
    GUARANTOR = "guarantor", _("Guarantor")
    FUND = "fund", _("Fund")


class ProgrammeKind(models.TextChoices):
    EQUITY_FUND = "equity_fund", _("Equity fund")
    REHAB_LOAN = "rehab_loan", _("Rehab loan")
    SCIENCE_CREDIT = "science_credit", _("Science credit with risk compensation")
    IP_PLEDGE = "ip_pledge", _("IP-pledge loans")
    CREDIT_GUARANTEE = "credit_guarantee", _("Credit-guarantee fund")
    BRIDGE_FUND = "bridge_fund", _("Bridge / credit-turnover fund")
    ACHIEVEMENT_LOAN = "achievement_loan", _("Tech-achievement transformation loans")
    GOVERNMENT_EQUITY = "government_equity", _("Government equity investment")
    GUIDANCE_FUND = "guidance_fund", _("Guidance fund")
    INNOVATION_VOUCHER = "innovation_voucher", _("Innovation vouchers")
    INSURANCE = "insurance", _("Insurance")
    WHITE_LIST = "white_list", _("Bank white list")
    OTHER = "other", _("Other")


class RecordOrigin(models.TextChoices):
    STAFF = "staff", _("Entered by staff")
    PARTNER_API = "partner_api", _("Recorded by a partner through the API")
    ARTICLE = "article", _("From a source article")
    IMPORT = "import", _("Imported from a file")
    DEMO = "demo", _("Demo scenario (not from a source)")


class MentorKind(models.TextChoices):
    STARTUP_MENTOR = "startup_mentor", _("Startup mentor")
    FINANCE_COUNSELLOR = "finance_counsellor", _("Finance counsellor")
    SCIENCE_FINANCE_COMMISSIONER = "science_finance_commissioner", _("Science-finance commissioner")
    TECHNOLOGY_BROKER = "technology_broker", _("Technology broker")
    INCUBATOR_COUNSELLOR = "incubator_counsellor", _("Incubator counsellor")


class ServiceKind(models.TextChoices):
    ONE_TO_ONE = "one_to_one", _("One-to-one coaching")
    TRAINING = "training", _("Training session")
    FINANCING_MATCH = "financing_match", _("Financing match-making")
    CERTIFICATION_COACHING = "certification_coaching", _("Certification coaching")


class RecommendationStatus(models.TextChoices):
    RECOMMENDED = "recommended", _("Recommended")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class MarketStatus(models.TextChoices):
    """Graduation by the capital market (国科发区〔2018〕300号): merged, acquired, quoted or listed."""

    NONE = "none", _("None")
    QUOTED = "quoted", _("Quoted (NEEQ or a regional equity market)")
    LISTED = "listed", _("Listed on a stock exchange")
    MERGED_ACQUIRED = "merged_acquired", _("Merged or acquired")


class DistinctionKind(models.TextChoices):
    AWARD = "award", _("Science and technology award")
    STANDARD = "standard", _("Standard drafted")
    RD_INSTITUTION = "rd_institution", _("Accredited R&D institution")


class DistinctionLevel(models.TextChoices):
    INTERNATIONAL = "international", _("International")
    NATIONAL = "national", _("National")
    INDUSTRY = "industry", _("Industry")
    PROVINCIAL = "provincial", _("Provincial")
    MUNICIPAL = "municipal", _("Municipal")


class StandardRole(models.TextChoices):
    LED = "led", _("Led the drafting")
    PARTICIPATED = "participated", _("Took part in the drafting")


class IncidentKind(models.TextChoices):
    """What bars a firm from TSME (国科发政〔2017〕115号) or HNTE (国科发火〔2016〕32号) for a time."""

    SAFETY_QUALITY_ACCIDENT = "safety_quality_accident", _("Major safety or quality accident")
    ENVIRONMENTAL_VIOLATION = "environmental_violation", _("Serious environmental violation")
    FRAUD = "fraud", _("Serious fraud")
    RESEARCH_MISCONDUCT = "research_misconduct", _("Research misconduct")
    ABNORMAL_OPERATION_LIST = "abnormal_operation_list", _("On the abnormal-operation list")
    SERIOUS_VIOLATION_LIST = "serious_violation_list", _("On the serious-violation list")
