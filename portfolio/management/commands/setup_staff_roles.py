from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import User
from portfolio.services.staff_roles import ROLE_GROUP_NAMES, staff_roles_setup, staff_roles_sync_user


class Command(BaseCommand):
    help = (
        "Create or update the groups 'Incubator manager', 'Liaison' and 'Counsellor' with their model "
        "permissions, and put every user with an incubator membership in the group of their role."
    )

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        groups = staff_roles_setup()
        for role, group in groups.items():
            self.stdout.write(f"{ROLE_GROUP_NAMES[role]}: {group.permissions.count()} permissions")
        users = User.objects.filter(memberships__isnull=False).distinct()
        count = 0
        for user in users:
            staff_roles_sync_user(user=user)
            count += 1
        self.stdout.write(self.style.SUCCESS(f"Synced the role groups of {count} staff members."))
