"""Compare the certification catalogue file with the database, and write it when asked.

``catalogue_diff`` and ``catalogue_apply`` take the model classes from ``apps`` (the current
ones by default), so migration 0009 loads the file through the same code as the command.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps as global_apps
from django.db import DatabaseError, transaction

from portfolio.rules.catalogue import CatalogueError, KindSpec


@dataclass(frozen=True)
class Change:
    """One difference: ``action`` is "add", "change" or "extra" (in the database only, kept)."""

    action: str
    record: str
    field: str = ""
    database: object = None
    file: object = None

    def __str__(self) -> str:
        if self.action == "add":
            return f"+ {self.record}: not in the database"
        if self.action == "extra":
            return f"? {self.record}: in the database only (kept)"
        return f"~ {self.record} {self.field}: {self.database!r} -> {self.file!r}"


@dataclass
class ApplyResult:
    changes: list[Change]
    changed_kind_ids: set[int]


def _models(apps):
    apps = apps or global_apps
    return (
        apps.get_model("portfolio", "CertificationKind"),
        apps.get_model("portfolio", "Obligation"),
        apps.get_model("portfolio", "ObligationWindow"),
    )


def _compare(record: str, instance, values: dict) -> list[Change]:
    return [
        Change("change", record, name, getattr(instance, name), value)
        for name, value in values.items()
        if getattr(instance, name) != value
    ]


def catalogue_diff(*, kinds: list[KindSpec], apps=None) -> list[Change]:
    """What writing the catalogue would change, in file order (four queries)."""
    return _walk(kinds, apps=apps, write=False).changes


def catalogue_apply(*, kinds: list[KindSpec], apps=None) -> ApplyResult:
    """Write every difference in one transaction; on any error nothing is written.

    Returns the changes and the kinds whose rules changed, whose deadlines need a re-sync.
    """
    try:
        with transaction.atomic():
            return _walk(kinds, apps=apps, write=True)
    except DatabaseError as exc:
        raise CatalogueError(f"nothing was written: {' '.join(str(exc).split())}") from None


def _walk(kinds: list[KindSpec], *, apps, write: bool) -> ApplyResult:
    Kind, Obligation, Window = _models(apps)
    db_kinds = {k.code: k for k in Kind.objects.all()}
    db_obligations = {(o.kind_id, o.code): o for o in Obligation.objects.all()}
    db_windows = {(w.obligation_id, w.year): w for w in Window.objects.all()}
    changes: list[Change] = []
    changed_kinds: set[int] = set()
    seen: set[tuple[str, int]] = set()

    def upsert(model, found, label: str, keys: dict, values: dict):
        # A migration's historical model may lack fields the file gained later.
        fields = {f.name for f in model._meta.get_fields()}
        values = {name: value for name, value in values.items() if name in fields}
        row = _upsert(model, found, label, keys, values, write, changes)
        if row is not None:
            seen.add((model.__name__, row.pk))
        return row

    for spec in kinds:
        before = len(changes)
        kind = upsert(Kind, db_kinds.get(spec.code), f"kind {spec.code}", {"code": spec.code}, spec.values)
        for ob_spec in spec.obligations:
            label = f"obligation {spec.code}/{ob_spec.code}"
            found = db_obligations.get((kind.pk, ob_spec.code)) if kind else None
            keys = {"kind": kind, "code": ob_spec.code}
            obligation = upsert(Obligation, found, label, keys, ob_spec.values)
            for w_spec in ob_spec.windows:
                found = db_windows.get((obligation.pk, w_spec.year)) if obligation else None
                keys = {"obligation": obligation, "year": w_spec.year}
                upsert(Window, found, f"window {spec.code}/{ob_spec.code} {w_spec.year}", keys, w_spec.values)
        if len(changes) > before and kind is not None:
            changed_kinds.add(kind.pk)
    kinds_by_pk = {k.pk: k for k in db_kinds.values()}
    obligations_by_pk = {o.pk: o for o in db_obligations.values()}
    for kind in db_kinds.values():
        if ("CertificationKind", kind.pk) not in seen:
            changes.append(Change("extra", f"kind {kind.code}"))
    for ob in db_obligations.values():
        if ("Obligation", ob.pk) not in seen and ("CertificationKind", ob.kind_id) in seen:
            changes.append(Change("extra", f"obligation {kinds_by_pk[ob.kind_id].code}/{ob.code}"))
    for w in db_windows.values():
        ob = obligations_by_pk[w.obligation_id]
        if ("ObligationWindow", w.pk) not in seen and ("Obligation", ob.pk) in seen:
            changes.append(Change("extra", f"window {kinds_by_pk[ob.kind_id].code}/{ob.code} {w.year}"))
    return ApplyResult(changes, changed_kinds)


def _upsert(model, instance, label: str, keys: dict, values: dict, write: bool, changes: list):
    """Record the differences of one row; with ``write``, create or update it. Returns the row."""
    if instance is None:
        changes.append(Change("add", label))
        if not write:
            return None
        return model.objects.create(**keys, **values)
    diff = _compare(label, instance, values)
    changes += diff
    if write and diff:
        for change in diff:
            setattr(instance, change.field, change.file)
        instance.save(update_fields=[change.field for change in diff])
    return instance
