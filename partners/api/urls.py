from django.urls import path

from partners.api import innovation_score, views

app_name = "api"

urlpatterns = [
    path("firms/", views.FirmListView.as_view(), name="firm-list"),
    path("firms/<int:firm_id>/", views.FirmDetailView.as_view(), name="firm-detail"),
    path(
        "firms/<int:firm_id>/certifications/",
        views.FirmCertificationListView.as_view(),
        name="firm-certifications",
    ),
    path("firms/<int:firm_id>/financing/", views.FirmFinancingListView.as_view(), name="firm-financing"),
    path("firms/<int:firm_id>/figures/", views.FirmFiguresListView.as_view(), name="firm-figures"),
    path(
        "firms/<int:firm_id>/innovation-score/",
        innovation_score.FirmInnovationScoreView.as_view(),
        name="firm-innovation-score",
    ),
    path("firms/<int:firm_id>/loans/", views.FirmLoanListView.as_view(), name="firm-loans"),
    path("firms/<int:firm_id>/loans/<int:pk>/", views.FirmLoanDetailView.as_view(), name="firm-loan-detail"),
    path(
        "firms/<int:firm_id>/loans/<int:pk>/decisions/",
        views.FirmLoanDecisionView.as_view(),
        name="firm-loan-decisions",
    ),
    path("white-list/", views.WhiteListView.as_view(), name="white-list"),
]
