from django.urls import path

from accounts.views import calendar_feed

urlpatterns = [
    path("<str:token>.ics", calendar_feed, name="calendar-feed"),
]
