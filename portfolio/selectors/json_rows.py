"""Rows built as JSON by PostgreSQL, read back with the types ``.values()`` gives.

A page that shows a few related records of each of 50 firms can have PostgreSQL nest them in
the firm's row (``JSONText``, ``ArraySubquery``) instead of one query per kind of record. JSON
knows no dates or decimals: ``json_object`` pairs the ``JSONText`` with a decoder that turns
each value back into what the ORM would have returned for the same column (``date``,
``datetime``, ``Decimal``), so code reading the rows cannot tell the two apart. Numbers are read
with ``parse_float=Decimal`` (``loads``): PostgreSQL writes a numeric into JSON with its exact
digits and scale (``10000000.00``), which a float would lose. Read the outermost value as text
(``as_text``): psycopg would parse a ``json`` column itself, with floats.
"""

from __future__ import annotations

import datetime
import functools
import json
import re
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Func, TextField
from django.db.models.functions import Cast

Decoder = Callable[[dict[str, Any]], dict[str, Any]]
KEY = re.compile(r"[a-z][a-z0-9_]*")


class JSONText(Func):
    """PostgreSQL's ``json_build_object``, keys written in the statement.

    Unlike Django's ``JSONObject`` (``jsonb_build_object``, one parameter per key) it builds the
    JSON as text, without jsonb's binary form, which a value read once and parsed in Python does
    not need: about a quarter less of PostgreSQL's time for a page's details. ``json`` values
    (nested ``JSONText``, arrays of them) are embedded as they are.
    """

    function = "JSON_BUILD_OBJECT"
    output_field = models.JSONField()

    def __init__(self, **fields: Any) -> None:
        for key in fields:
            if not KEY.fullmatch(key):
                raise ValueError(f"{key!r}: a JSONText key is a lower-case identifier")
        self.keys = tuple(fields)
        super().__init__(*fields.values())

    def as_sql(self, compiler, connection, **extra_context):
        pairs, params = [], []
        for key, expression in zip(self.keys, self.get_source_expressions(), strict=True):
            sql, expression_params = compiler.compile(expression)
            pairs.append(f"'{key}', {sql}")
            params.extend(expression_params)
        return f"{self.function}({', '.join(pairs)})", params


def as_text(expression: Func) -> Cast:
    """The JSON as text, for ``loads`` (a ``json`` column would be parsed by psycopg, with floats)."""
    return Cast(expression, TextField())


loads = functools.partial(json.loads, parse_float=Decimal)


def model_field(model: type[models.Model], lookup: str) -> models.Field:
    """The field a ``values()`` lookup such as ``incubator__name`` or ``pk`` names."""
    *relations, name = lookup.split("__")
    for relation in relations:
        model = model._meta.get_field(relation).related_model
    return model._meta.pk if name == "pk" else model._meta.get_field(name)


def _converter(field: models.Field) -> Callable[[Any], Any] | None:
    if isinstance(field, models.ForeignKey):
        field = field.target_field
    if isinstance(field, models.DateTimeField):
        return datetime.datetime.fromisoformat
    if isinstance(field, models.DateField):
        return datetime.date.fromisoformat
    if isinstance(field, models.DecimalField):
        return Decimal  # an int when the value had no decimals: Decimal(5) == the ORM's Decimal("5")
    if isinstance(field, models.FloatField):
        return float
    if isinstance(field, models.JSONField):
        raise ValueError(f"{field} is JSON already: nest it without json_object")
    return None


def decoder(converters: dict[str, Callable[[Any], Any]]) -> Decoder:
    items = tuple(converters.items())

    def decode(row: dict[str, Any]) -> dict[str, Any]:
        for key, convert in items:
            value = row[key]
            if value is not None:
                row[key] = convert(value)
        return row

    return decode


def json_object(
    model: type[models.Model], lookups: Iterable[str], **fields: models.Field
) -> tuple[JSONText, Decoder]:
    """``JSONText`` of ``lookups`` (keys as ``values()`` names them) and the decoder of its rows.

    ``fields`` adds annotations already on the queryset, by name, with their output field
    (``status_today=CharField()``).
    """
    columns: dict[str, Any] = {}
    converters = {}
    for lookup in lookups:
        columns[lookup] = lookup
        if convert := _converter(model_field(model, lookup)):
            converters[lookup] = convert
    for name, field in fields.items():
        columns[name] = name
        if convert := _converter(field):
            converters[name] = convert
    return JSONText(**columns), decoder(converters)
