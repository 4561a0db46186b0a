import secrets

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User


class Command(BaseCommand):
    help = "Create (or reset) the demo superuser and print its login. Refuses outside DEBUG."

    def add_arguments(self, parser):
        parser.add_argument("--email", default="admin@example.com")

    def handle(self, *args, email: str, **options):
        if not settings.DEBUG:
            raise CommandError("demo_admin is for local development only (DJANGO_DEBUG is off).")
        password = secrets.token_urlsafe(12)
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_superuser(email=email, password=password, full_name="Demo admin")
        else:
            user.set_password(password)
            user.is_staff = user.is_superuser = user.is_active = True
            user.save()
        self.stdout.write(self.style.SUCCESS(f"Admin login: {email} / {password}"))
