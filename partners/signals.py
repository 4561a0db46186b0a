"""Cached API keys follow the database: any save or delete of a key or its organisation drops them."""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts.models import Organisation
from partners.api.authentication import key_cache_name
from partners.models import ApiKey


def _forget(prefixes: list[str]) -> None:
    names = [key_cache_name(prefix) for prefix in prefixes]
    cache.delete_many(names)
    # Again after commit: a request between the save and its commit may have cached the old row.
    transaction.on_commit(lambda: cache.delete_many(names))


@receiver([post_save, post_delete], sender=ApiKey)
def forget_key(sender, instance: ApiKey, **kwargs) -> None:
    _forget([instance.prefix])


@receiver([post_save, post_delete], sender=Organisation)
def forget_organisation_keys(sender, instance: Organisation, **kwargs) -> None:
    _forget(list(ApiKey.objects.filter(organisation_id=instance.pk).values_list("prefix", flat=True)))
