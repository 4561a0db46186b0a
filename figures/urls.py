from django.urls import path

from figures import views

app_name = "figures"

urlpatterns = [
    path("<str:token>/", views.founder_page, name="founder"),
]
