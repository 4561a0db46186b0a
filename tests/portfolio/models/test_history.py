"""Every tracked model keeps its change history, without building a manager class per save."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db.models.manager import BaseManager

from portfolio.history import HistoryManager
from tests.factories import FirmFactory


def test_every_history_of_the_project_uses_the_cached_manager():
    from simple_history.models import registered_models

    ours = {"portfolio", "partners", "ladder", "scoring", "figures"}
    tracked = [
        m for m in registered_models.values() if m._meta.app_label in ours and not m._meta.auto_created
    ]
    assert len(tracked) >= 20
    for model in tracked:
        assert isinstance(model.history, HistoryManager), model
        assert type(model.history) is type(model.history), model


@pytest.mark.django_db
def test_saving_a_tracked_model_builds_no_manager_class():
    firm = FirmFactory()
    assert firm.history.count() == 1
    with mock.patch.object(
        BaseManager, "from_queryset", side_effect=AssertionError("a manager class per save")
    ):
        firm.name = firm.name + "（更名）"
        firm.save()
        assert type(firm.history) is type(firm.history)
    assert firm.history.count() == 2
    assert firm.history.first().name == firm.name
