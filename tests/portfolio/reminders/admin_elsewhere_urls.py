"""A URL configuration with the admin mounted somewhere else, so email links must follow it."""

from django.contrib import admin
from django.urls import path

urlpatterns = [path("staff/console/", admin.site.urls)]
