"""The partner API's endpoints: thin views over ``partners.selectors`` and ``services.loans``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request
from rest_framework.response import Response

from partners import selectors
from partners.api import filters, serializers
from partners.api import schema as _schema  # noqa: F401 - registers the API-key security scheme
from partners.api.access_log import access_log_record
from partners.api.authentication import ApiKeyAuthentication
from partners.api.idempotency import HEADER as IDEMPOTENCY_HEADER
from partners.api.idempotency import idempotent
from partners.api.pagination import FirmCursorPagination
from partners.api.parsers import ApiJSONParser, bound_chunked_body
from partners.api.permissions import IsPartnerForWrites, IsPartnerOrStaff
from partners.api.throttling import PerKeyThrottle
from partners.models import ApiKey, BankRecommendation, LoanApplication
from partners.services.loans import loan_apply, loan_decide
from portfolio.models import Certification, FinancingEvent, Firm, YearlyFigures

FIRM_ID = OpenApiParameter(
    "firm_id", OpenApiTypes.INT, OpenApiParameter.PATH, description=_("Id of a firm you may see.")
)
LOAN_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description=_("Loan id."))
IDEMPOTENCY = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description=_(
        "Any unique string (a UUID) per intended write. A retry with the same key and body returns the "
        "first result (header Idempotent-Replayed: true) and creates nothing; the same key with another "
        "body answers 422."
    ),
)


class ApiView(generics.GenericAPIView):
    """Common ground: who is asking, and an access-log row for each response carrying firm data."""

    authentication_classes = [ApiKeyAuthentication, SessionAuthentication]
    permission_classes = [IsPartnerOrStaff]
    throttle_classes = [PerKeyThrottle]
    parser_classes = [ApiJSONParser]
    pagination_class = FirmCursorPagination
    metadata_class = None  # no OPTIONS introspection: the schema documents the API
    logged_firm_ids: list[int] | None = None

    def initialize_request(self, request, *args, **kwargs) -> Request:
        bound_chunked_body(request)
        return super().initialize_request(request, *args, **kwargs)

    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)  # authentication, permission, throttling
        api_key = request.auth if isinstance(request.auth, ApiKey) else None
        request.api_viewer = selectors.ApiViewer(
            organisation=api_key.organisation if api_key else None,
            api_key=api_key,
            user=None if api_key else request.user,
        )

    @property
    def viewer(self) -> selectors.ApiViewer:
        return self.request.api_viewer

    def finalize_response(self, request: Request, response: Response, *args, **kwargs) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        if self.logged_firm_ids and response.status_code < 400:
            access_log_record(
                viewer=self.viewer,
                request=request,
                status_code=response.status_code,
                firm_ids=self.logged_firm_ids,
            )
        return response


def get_visible_firm(viewer: selectors.ApiViewer, firm_id: int) -> Firm:
    return generics.get_object_or_404(selectors.firms_visible_to(viewer), pk=firm_id)


class FirmScopedView(ApiView):
    """Endpoints under /firms/{firm_id}/: the firm must be visible, whatever the method or input."""

    firm: Firm

    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        self.firm = get_visible_firm(self.viewer, kwargs["firm_id"])

    def list(self, request: Request, *args, **kwargs) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        data = self.get_serializer(page, many=True).data
        if page:
            self.logged_firm_ids = [self.firm.pk]
        return self.get_paginated_response(data)


@extend_schema(tags=["firms"])
class FirmListView(ApiView, generics.ListAPIView):
    queryset = Firm.objects.none()  # the model, for the schema; rows come from get_queryset
    serializer_class = serializers.FirmSerializer
    filterset_class = filters.FirmFilter
    filter_backends = [filters.FilterBackend, OrderingFilter]
    ordering_fields = ["id", "name", "updated_at"]
    ordering = ["id"]

    def get_queryset(self):
        return selectors.firm_rows_for_viewer(self.viewer)

    @extend_schema(
        operation_id="firms_list",
        parameters=[
            OpenApiParameter(
                "ordering",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                enum=["id", "-id", "name", "-name", "updated_at", "-updated_at"],
                description=_("Sort order; default id."),
            )
        ],
        summary=_("Firms you may see"),
        description=_(
            "Firms with a data-sharing consent in force for your organisation (staff: the firms of their "
            "incubators): profile, current residency, certification statuses with expiry, financing "
            "summary, the latest yearly figures and the certification-ladder summary (`ladder`: the "
            "rung held, and TSME and HNTE eligibility as we evaluate it today against the official "
            "rules; not a certificate, and without the firm's self-assessment). Cursor-paginated; use "
            "`updated_since` for incremental sync (the ladder summary is evaluated on each request's "
            "date and can change without the firm being updated). `ordering` is one of id, name, "
            "updated_at (prefix - for descending)."
        ),
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = selectors.firm_rows_complete(self.viewer, self.paginate_queryset(queryset))
        self.logged_firm_ids = [firm["id"] for firm in page]
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@extend_schema(tags=["firms"], parameters=[FIRM_ID])
class FirmDetailView(ApiView, generics.RetrieveAPIView):
    queryset = Firm.objects.none()  # the model, for the schema; rows come from get_queryset
    serializer_class = serializers.FirmSerializer
    lookup_url_kwarg = "firm_id"

    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        if request.method not in ("GET", "HEAD"):  # GET reads the firm itself
            get_visible_firm(self.viewer, kwargs["firm_id"])  # 404 before 405 for a hidden firm

    def get_queryset(self):
        return selectors.firm_rows_for_viewer(self.viewer)

    @extend_schema(operation_id="firms_retrieve", summary=_("One firm"))
    def get(self, request: Request, *args, **kwargs) -> Response:
        [firm] = selectors.firm_rows_complete(self.viewer, [self.get_object()])
        self.logged_firm_ids = [firm["id"]]
        return Response(self.get_serializer(firm).data)


@extend_schema(tags=["firms"], parameters=[FIRM_ID])
class FirmCertificationListView(FirmScopedView, generics.ListAPIView):
    queryset = Certification.objects.none()  # the model, for the schema; rows come from get_queryset
    serializer_class = serializers.CertificationSerializer
    filterset_class = filters.CertificationFilter

    def get_queryset(self):
        return selectors.certification_list_for_firm(firm=self.firm)

    @extend_schema(operation_id="firms_certifications_list", summary=_("A firm's certifications"))
    def get(self, request: Request, *args, **kwargs) -> Response:
        return self.list(request, *args, **kwargs)


@extend_schema(tags=["firms"], parameters=[FIRM_ID])
class FirmFinancingListView(FirmScopedView, generics.ListAPIView):
    queryset = FinancingEvent.objects.none()  # the model, for the schema; rows come from get_queryset
    serializer_class = serializers.FinancingEventSerializer
    filterset_class = filters.FinancingFilter

    def get_queryset(self):
        return selectors.financing_list_for_firm(self.viewer, firm=self.firm)

    @extend_schema(
        operation_id="firms_financing_list",
        summary=_("A firm's financing history"),
        description=_(
            "Equity rounds, loans, government money and insurance. Loans other banks recorded appear "
            "once disbursed; their applications and rejections do not."
        ),
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return self.list(request, *args, **kwargs)


@extend_schema(tags=["firms"], parameters=[FIRM_ID])
class FirmFiguresListView(FirmScopedView, generics.ListAPIView):
    queryset = YearlyFigures.objects.none()  # the model, for the schema; rows come from get_queryset
    serializer_class = serializers.YearlyFiguresSerializer
    filterset_class = filters.YearlyFiguresFilter

    def get_queryset(self):
        return selectors.figures_list_for_firm(firm=self.firm)

    @extend_schema(operation_id="firms_figures_list", summary=_("A firm's yearly figures (CNY)"))
    def get(self, request: Request, *args, **kwargs) -> Response:
        return self.list(request, *args, **kwargs)


@extend_schema(tags=["white-list"])
class WhiteListView(ApiView, generics.ListAPIView):
    queryset = BankRecommendation.objects.none()  # the model, for the schema; rows come from get_queryset
    serializer_class = serializers.WhiteListEntrySerializer
    filterset_class = filters.WhiteListFilter

    def get_queryset(self):
        return selectors.white_list_for_viewer(self.viewer)

    @extend_schema(
        operation_id="white_list_list",
        summary=_("The white list"),
        description=_(
            "Firms an incubator recommends to your bank (only those whose consent to you is in force); "
            "withdrawn recommendations stay listed with status withdrawn."
        ),
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        self.logged_firm_ids = [entry.firm_id for entry in page]
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


LOAN_EXAMPLE = OpenApiExample(
    "Application",
    request_only=True,
    value={
        "instrument": "rehab_loan",
        "applied_on": "2025-03-01",
        "requested_amount": "1000000.00",
        "term_months": 12,
        "reference": "QD-2025-0042",
        "note": "康复贷 application via the incubator's finance counsellor",
    },
)
DECISION_EXAMPLES = [
    OpenApiExample(
        "Approval",
        request_only=True,
        value={"status": "approved", "decided_on": "2025-03-20", "amount": "1000000.00", "term_months": 12},
    ),
    OpenApiExample(
        "Rejection",
        request_only=True,
        value={"status": "rejected", "decided_on": "2025-03-20", "note": "Collateral insufficient."},
    ),
    OpenApiExample("Disbursal", request_only=True, value={"status": "disbursed", "decided_on": "2025-04-01"}),
]


@extend_schema(tags=["loans"], parameters=[FIRM_ID])
class FirmLoanListView(FirmScopedView, generics.ListCreateAPIView):
    queryset = LoanApplication.objects.none()  # the model, for the schema; rows come from get_queryset
    permission_classes = [IsPartnerOrStaff, IsPartnerForWrites]
    serializer_class = serializers.LoanSerializer
    filterset_class = filters.LoanFilter

    def get_queryset(self):
        return selectors.loan_list_for_firm(self.viewer, firm=self.firm)

    @extend_schema(operation_id="firms_loans_list", summary=_("Your loan applications for a firm"))
    def get(self, request: Request, *args, **kwargs) -> Response:
        return self.list(request, *args, **kwargs)

    @extend_schema(
        operation_id="firms_loans_create",
        summary=_("Record a loan application"),
        description=_(
            "Creates the application (status applied). Staff see it as the firm's financing, with your "
            "bank as lender. Unknown fields are rejected."
        ),
        parameters=[IDEMPOTENCY],
        request=serializers.LoanApplicationWriteSerializer,
        examples=[LOAN_EXAMPLE],
        responses={201: serializers.LoanSerializer},
    )
    def post(self, request: Request, *args, **kwargs) -> Response:
        def write() -> Response:
            data = self._validated(serializers.LoanApplicationWriteSerializer)
            application = loan_apply(
                bank=self.viewer.organisation, firm=self.firm, api_key=self.viewer.api_key, **data
            )
            application = self.get_queryset().get(pk=application.pk)
            return Response(serializers.LoanSerializer(application).data, status=status.HTTP_201_CREATED)

        response = idempotent(request, self.viewer, write)
        if response.status_code < 400:
            self.logged_firm_ids = [self.firm.pk]
        return response

    def _validated(self, serializer_class: type) -> dict:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


@extend_schema(tags=["loans"], parameters=[FIRM_ID, LOAN_ID])
class FirmLoanDetailView(FirmScopedView, generics.RetrieveAPIView):
    queryset = LoanApplication.objects.none()  # the model, for the schema; rows come from get_queryset
    serializer_class = serializers.LoanSerializer

    def get_queryset(self):
        return selectors.loan_list_for_firm(self.viewer, firm=self.firm)

    @extend_schema(operation_id="firms_loans_retrieve", summary=_("One loan application with its decisions"))
    def get(self, request: Request, *args, **kwargs) -> Response:
        loan = self.get_object()
        self.logged_firm_ids = [self.firm.pk]
        return Response(self.get_serializer(loan).data)


@extend_schema(tags=["loans"], parameters=[FIRM_ID, LOAN_ID])
class FirmLoanDecisionView(FirmScopedView, generics.GenericAPIView):
    queryset = LoanApplication.objects.none()  # the model, for the schema; rows come from get_queryset
    permission_classes = [IsPartnerOrStaff, IsPartnerForWrites]
    serializer_class = serializers.LoanDecisionWriteSerializer

    def get_queryset(self):
        return selectors.loan_list_for_firm(self.viewer, firm=self.firm)

    @extend_schema(
        operation_id="firms_loans_decide",
        summary=_("Record a decision on a loan"),
        description=_(
            "Moves the loan to its next status. approved needs amount and term_months; rejected needs a "
            "note (the reason); a decision cannot skip a step, reopen a closed loan, be dated in the "
            "future or before the previous step."
        ),
        parameters=[IDEMPOTENCY],
        request=serializers.LoanDecisionWriteSerializer,
        examples=DECISION_EXAMPLES,
        responses={200: serializers.LoanSerializer},
    )
    def post(self, request: Request, *args, **kwargs) -> Response:
        application = self.get_object()

        def write() -> Response:
            serializer = serializers.LoanDecisionWriteSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            loan_decide(application=application, api_key=self.viewer.api_key, **serializer.validated_data)
            fresh = self.get_queryset().get(pk=application.pk)
            return Response(serializers.LoanSerializer(fresh).data)

        response = idempotent(request, self.viewer, write)
        if response.status_code < 400:
            self.logged_firm_ids = [self.firm.pk]
        return response


__all__ = [
    "FirmCertificationListView",
    "FirmDetailView",
    "FirmFiguresListView",
    "FirmFinancingListView",
    "FirmListView",
    "FirmLoanDecisionView",
    "FirmLoanDetailView",
    "FirmLoanListView",
    "WhiteListView",
]
