"""The project's URLs plus /bench/bare-firms/: the firm list page from one ``.values()`` query.

The bare view returns the same JSON shape as /api/v1/firms/ (profile, current residency,
certification statuses, financing summary, latest figures) for the same 50 consented firms,
built by PostgreSQL in a single query, with no authentication, throttling, pagination links,
serializers or access log. The ratio of the two is what the framework and the API's duties cost.
"""

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Count, DecimalField, Exists, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce, JSONObject
from django.http import JsonResponse
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns
from partners.models import Consent
from portfolio.models import Certification, FinancingEvent, Firm, Residency, YearlyFigures


def _money_sum(**filters):
    return Coalesce(
        Subquery(
            FinancingEvent.objects.filter(firm=OuterRef("pk"), currency="CNY", **filters)
            .order_by()
            .values("firm")
            .annotate(total=Sum("amount"))
            .values("total")
        ),
        Value(0),
        output_field=DecimalField(),
    )


def bare_firms(request):
    bank_id = int(request.GET["bank"])
    residency = Residency.objects.filter(firm=OuterRef("pk"), exited_on__isnull=True).order_by("-entered_on")
    figures = YearlyFigures.objects.filter(firm=OuterRef("pk")).order_by("-year")
    rows = (
        Firm.objects.filter(Exists(Consent.objects.filter(firm=OuterRef("pk"), organisation_id=bank_id)))
        .order_by("id")
        .values(
            "id",
            "name",
            "name_en",
            "credit_code",
            "founded_on",
            "founded_precision",
            "industry",
            "industry_detail",
            "website",
            "updated_at",
            current_residency=Subquery(
                residency.values(
                    json=JSONObject(
                        incubator=JSONObject(
                            id="incubator_id",
                            name="incubator__name",
                            name_en="incubator__name_en",
                            city="incubator__city",
                            level="incubator__level",
                        ),
                        entered_on="entered_on",
                        entered_precision="entered_precision",
                        limit_months="limit_months",
                    )
                )[:1]
            ),
            certification_list=ArraySubquery(
                Certification.objects.filter(firm=OuterRef("pk"))
                .order_by("kind__ladder_rank", "-issued_on")
                .values(
                    json=JSONObject(
                        kind="kind__code", status="status", issued_on="issued_on", expires_on="expires_on"
                    )
                )
            ),
            financing_summary=JSONObject(
                events=Coalesce(
                    Subquery(
                        FinancingEvent.objects.filter(firm=OuterRef("pk"))
                        .order_by()
                        .values("firm")
                        .annotate(n=Count("id"))
                        .values("n")
                    ),
                    Value(0),
                ),
                equity_total=_money_sum(kind="equity"),
                loans_total=_money_sum(
                    kind="loan", loan_status__in=["", "disbursed", "repaid", "defaulted", "compensated"]
                ),
                last_financing_on=Subquery(
                    FinancingEvent.objects.filter(firm=OuterRef("pk"))
                    .order_by("-occurred_on")
                    .values("occurred_on")[:1]
                ),
            ),
            latest_figures=Subquery(
                figures.values(
                    json=JSONObject(
                        year="year",
                        revenue="revenue",
                        rd_expense="rd_expense",
                        employees="employees",
                        rd_staff="rd_staff",
                        total_assets="total_assets",
                    )
                )[:1]
            ),
        )[:50]
    )
    results = list(rows)
    for row in results:  # a reverse relation already owns the name "certifications"
        row["certifications"] = row.pop("certification_list")
    return JsonResponse({"next": None, "previous": None, "results": results})


urlpatterns = [path("bench/bare-firms/", bare_firms), *project_urlpatterns]
