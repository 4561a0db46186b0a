import pytest
from django.db import IntegrityError

from accounts.models import User

pytestmark = pytest.mark.django_db


def test_user_logs_in_by_email(client):
    User.objects.create_user(email="Staff@Example.org", password="pw-123456")
    assert client.login(email="staff@example.org", password="pw-123456")


def test_email_unique_ignoring_case():
    User.objects.create_user(email="a@example.org")
    with pytest.raises(IntegrityError):
        User.objects.create(email="A@EXAMPLE.ORG")


def test_superuser_sees_admin_index(admin_client):
    assert admin_client.get("/admin/").status_code == 200
