"""Rows built as JSON by PostgreSQL, read back with the types ``.values()`` gives.

A page that shows a few related records of each of 50 firms can have PostgreSQL nest them in
the firm's row (``JSONObject``, ``ArraySubquery``) instead of one query per kind of record. JSON
knows no dates or decimals: ``json_object`` pairs the ``JSONObject`` with a decoder that turns
each value back into what the ORM would have returned for the same column (``date``,
``datetime``, ``Decimal``), so code reading the rows cannot tell the two apart. Numbers are read
with ``parse_float=Decimal`` (``loads``): PostgreSQL writes a numeric into JSON with its exact
digits and scale (``10000000.00``), which a float would lose.
"""

from __future__ import annotations

import datetime
import functools
import json
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models.functions import JSONObject

Decoder = Callable[[dict[str, Any]], dict[str, Any]]

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
) -> tuple[JSONObject, Decoder]:
    """``JSONObject`` of ``lookups`` (keys as ``values()`` names them) and the decoder of its rows.

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
    return JSONObject(**columns), decoder(converters)
