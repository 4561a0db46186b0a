"""The kinds of outbound email: what the outbox needs to know to queue, send and re-send a model's rows.

The outbox (record, hand over on commit, claim under a row lock and a lease, send, record the
outcome, retry) is the same for every email; what differs is declared once per model here:

- ``task``: the dotted name of the Celery task that sends a list of its ids;
- ``message_id_prefix``: the Message-ID is ``<prefix-pk@domain>``, stable across attempts;
- ``template``: the row -> the templates' common name (``<name>_subject.txt``, ``.txt``, ``.html``);
- ``context``: the row (as ``related`` reads it) -> the templates' context;
- ``related``: a queryset of the model -> the same rows with everything their emails show
  (``select_related``, ``only``): the claim locks and reads them in that one query;
- ``refusals``: the rows just locked for sending -> {pk: (status, reason)} for those that must
  not go out any more (their deadline closed, the firm submitted meanwhile...), read in one go;
- ``resendable``: narrows the failed rows staff may send again.

A model plugs in by calling ``register(OutboundKind(...))`` when its module is imported (the
module that defines its emails, which its task, admin and passes import).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.module_loading import import_string

from portfolio.models.reminders import OutboundEmail

Outbound = type[OutboundEmail]


def _no_refusals(rows: list) -> dict[int, tuple[str, str]]:
    return {}


def _all(qs: QuerySet) -> QuerySet:
    return qs


@dataclass(frozen=True)
class OutboundKind:
    model: Outbound
    task: str
    message_id_prefix: str
    template: Callable[[Any], str]
    context: Callable[[Any], dict]
    related: Callable[[QuerySet], QuerySet]
    refusals: Callable[[list], dict[int, tuple[str, str]]] = _no_refusals
    resendable: Callable[[QuerySet], QuerySet] = _all

    def load(self, ids: list[int]) -> dict[int, Any]:
        """The rows of ``ids`` as the emails read them, in one query."""
        return self.related(self.model.objects.all()).in_bulk(ids)

    def send_task(self):
        """The Celery task (looked up when used, so this module imports no tasks)."""
        return import_string(self.task)


_KINDS: dict[Outbound, OutboundKind] = {}


def register(kind: OutboundKind) -> OutboundKind:
    """Declare a model's emails; registering the same model again replaces the declaration."""
    _KINDS[kind.model] = kind
    return kind


def outbound_kind(model: Outbound) -> OutboundKind:
    try:
        return _KINDS[model]
    except KeyError:
        raise LookupError(
            f"{model.__name__} is not a registered outbound email; import the module that registers it"
        ) from None


def registered() -> list[OutboundKind]:
    return list(_KINDS.values())
