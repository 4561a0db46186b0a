"""gunicorn entry point for bench/api_firm_list.py (settings: api_bench_settings)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "api_bench_settings")
application = get_wsgi_application()
