"""The change history of the project's models (django-simple-history), one cost less per save.

simple-history's ``HistoryDescriptor`` builds a new manager class (``Manager.from_queryset``,
which walks every queryset method with ``inspect``) on every ``instance.history`` access, and it
reads that attribute once per saved row to write the history entry: about 0.6 ms of CPU per save
of a tracked model, paid by every admin save, import row and certificate sync. The manager class
here makes that class once per queryset class; the managers themselves are the same.
"""

from __future__ import annotations

from typing import ClassVar

from simple_history import manager as history_manager
from simple_history import models as history_models


class HistoryManager(history_manager.HistoryManager):
    _made: ClassVar[dict[tuple[type, type, str | None], type]] = {}

    @classmethod
    def from_queryset(cls, queryset_class, class_name=None):
        key = (cls, queryset_class, class_name)
        made = cls._made.get(key)
        if made is None:
            made = cls._made[key] = super().from_queryset(queryset_class, class_name)
        return made


class HistoricalRecords(history_models.HistoricalRecords):
    """``simple_history.models.HistoricalRecords`` with the manager above."""

    def __init__(self, *args, history_manager=HistoryManager, **kwargs):
        super().__init__(*args, history_manager=history_manager, **kwargs)
