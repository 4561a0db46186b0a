"""The test database built from the models instead of by replaying every migration.

Replaying the project's migrations costs about 25 s of CPU on SQLite (Django re-renders the
migration state of every related model after each of some 450 operations), and each pytest-xdist
worker pays it for its own database. ``python3 dev.py test`` therefore builds the test database
the way Django does when a database's ``TEST["MIGRATE"]`` is False: tables, constraints and
indexes straight from the models (``migrate --run-syncdb``, about a second), and then runs the
forward function of every data migration of the project's own apps, in migration order, so the
rows the migrations ship (certification kinds and catalogue, the ladder's rule sets, the score
pack, the beat schedules) are there as they would be.

Two things keep this honest:

- ``makemigrations --check`` (CI, and ``tests/config/test_migrations.py``) holds the models and
  the migrations to the same schema;
- ``tests/config/test_reference_data.py`` (slow, in CI and ``--all``) builds one database each
  way on SQLite and on PostgreSQL and compares their tables, columns, constraints, indexes and
  every row.

CI (``CI=true``) and ``TEST_MIGRATE=1`` replay the migrations as before (config/settings/test.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from django.apps import apps as global_apps
from django.conf import settings
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations.special import RunPython, SeparateDatabaseAndState

ROOT = Path(settings.BASE_DIR).resolve()


def project_app_labels() -> set[str]:
    """The apps whose code lives in this repository (not Django's, not third-party ones)."""
    configs = global_apps.get_app_configs()
    return {config.label for config in configs if Path(config.path).resolve().is_relative_to(ROOT)}


def _run_python_operations(operations) -> Iterator[RunPython]:
    for operation in operations:
        if isinstance(operation, SeparateDatabaseAndState):
            yield from _run_python_operations(operation.database_operations)
        elif isinstance(operation, RunPython):
            yield operation


def data_operations(loader: MigrationLoader) -> list[tuple[tuple[str, str], RunPython]]:
    """Every RunPython of the project's migrations, in the order ``migrate`` applies them."""
    graph = loader.graph
    ours = project_app_labels()
    plan: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for leaf in sorted(graph.leaf_nodes()):
        for node in graph.forwards_plan(leaf):
            if node not in seen:
                seen.add(node)
                plan.append(node)
    return [
        (node, operation)
        for node in plan
        if node[0] in ours
        for operation in _run_python_operations(graph.nodes[node].operations)
    ]


def load(connection) -> None:
    """Run the data migrations' forward functions against a database built from the models.

    They get the models as the last migration leaves them (rendered once), where ``migrate``
    gives each the models as of its own migration: the same tables and columns on a database
    created this moment, and, as in ``migrate``, plain models without the project's signals,
    managers and ``save()`` methods (no history rows, no recomputed scores).
    """
    loader = MigrationLoader(None, ignore_no_migrations=True)
    operations = data_operations(loader)
    models = loader.project_state().apps
    with connection.schema_editor(atomic=True) as schema_editor:
        for _node, operation in operations:
            operation.code(models, schema_editor)


def built_from_models(connection) -> bool:
    return connection.settings_dict.get("TEST", {}).get("MIGRATE", True) is False


def build_from_models(connection) -> None:
    """What Django's test database creation does when ``TEST["MIGRATE"]`` is False, on the
    database ``connection`` names, then :func:`load` (tests/config/test_reference_data.py)."""
    from django.core.management import call_command

    saved = settings.MIGRATION_MODULES
    settings.MIGRATION_MODULES = {config.label: None for config in global_apps.get_app_configs()}
    try:
        call_command("migrate", run_syncdb=True, verbosity=0, interactive=False, database=connection.alias)
    finally:
        settings.MIGRATION_MODULES = saved
    load(connection)


# Ids that differ for a reason that does not matter: ``migrate`` creates the content types (and
# their permissions) in the order the migrations created the models, the other way in the order
# the models are defined. Those two tables are compared by natural key.
_BY_NATURAL_KEY = {
    "django_content_type": "SELECT app_label, model FROM django_content_type",
    "auth_permission": (
        "SELECT ct.app_label, ct.model, p.codename, p.name FROM auth_permission p "
        "JOIN django_content_type ct ON ct.id = p.content_type_id"
    ),
}
# Column types that differ for a reason that does not matter: Django renders the historical
# models of a migration without their app's ``default_auto_field``, so on PostgreSQL the
# auto-created many-to-many table of a contrib app gets a bigint id where the app's own setting
# gives an integer one. No code of ours reads these ids.
_SAME_TYPE = {("auth_group_permissions", "id"): {"AutoField", "BigAutoField"}}


def snapshot(connection) -> dict:
    """Tables, columns, constraints and indexes (by shape: auto-generated names differ between
    creating a table and renaming one) and every row, for comparing two databases.

    Left out: the migration records (one way writes them, the other has none) and the values
    of date-time columns (when the row was written).
    """
    introspection = connection.introspection
    result: dict = {}
    with connection.cursor() as cursor:
        for table in sorted(introspection.table_names(cursor)):
            if table == "django_migrations":
                continue
            description = introspection.get_table_description(cursor, table)
            columns = {}
            for column in sorted(description, key=lambda c: c.name):
                kind = introspection.get_field_type(column.type_code, column)
                if kind in _SAME_TYPE.get((table, column.name), ()):
                    kind = "/".join(sorted(_SAME_TYPE[table, column.name]))
                columns[column.name] = [kind, bool(column.null_ok)]
            constraints = sorted(
                json.dumps(
                    {
                        "columns": info["columns"],
                        "kind": [
                            k
                            for k in ("primary_key", "unique", "foreign_key", "check", "index")
                            if info.get(k)
                        ],
                        "foreign_key": info.get("foreign_key"),
                        "orders": info.get("orders"),
                        "type": info.get("type"),
                    },
                    default=list,
                )
                for info in introspection.get_constraints(cursor, table).values()
            )
            kept = [name for name, (kind, _null) in columns.items() if kind != "DateTimeField"]
            quoted = ", ".join(connection.ops.quote_name(name) for name in kept)
            # names read from the database itself, quoted
            select = f"SELECT {quoted} FROM {connection.ops.quote_name(table)}"  # noqa: S608
            cursor.execute(_BY_NATURAL_KEY.get(table, select))
            rows = sorted(json.dumps(row, default=str, ensure_ascii=False) for row in cursor.fetchall())
            result[table] = {"columns": columns, "constraints": constraints, "rows": rows}
    return result
