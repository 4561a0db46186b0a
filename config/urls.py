from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from config.health import healthz

# The admin's language comes from the language cookie (set through /i18n/setlang/), then the
# browser's Accept-Language, then LANGUAGE_CODE (Chinese).
urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
