"""The founder's page (reached by a signed link, no account)."""

from django.http import Http404


def founder_page(request, token: str):
    raise Http404
