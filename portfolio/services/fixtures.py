"""Load the article fixtures (fixtures/articles.yaml) into the models.

- Every record is found by its stable ``key`` and written only when a value differs, so a
  second run changes nothing (no new history rows, no ``updated_at`` bump).
- The whole load is one transaction: any error saves nothing and names the record and field.
- Every record keeps its citation (``source`` = file names, ``source_quote`` = quotes) and
  ``origin`` = article; YAML fields with no model field are written into ``notes``.
- Certifications are saved through ``save()``, so the signal fills the expiry from the kind's
  validity and generates their deadlines.
- A record whose required date the article does not give (e.g. a residency without an entry
  date) is skipped with a warning: the loader never invents a date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from accounts.models import Organisation
from partners.models import BankRecommendation
from portfolio.choices import AmountPrecision, CertificationStatus, RecordOrigin, TechField
from portfolio.models import (
    Certification,
    CertificationKind,
    FinancingEvent,
    FinancingParticipant,
    Firm,
    FirmAlias,
    Incubator,
    Mentor,
    Milestone,
    Programme,
    Residency,
    ServiceRecord,
)
from portfolio.rules.deadlines import has_lapsed
from portfolio.services.certifications import certification_fill_expiry
from portfolio.services.fixture_records import SECTION_PREFIXES, FixtureError, Record, notes

__all__ = ["FixtureError", "LoadResult", "fixtures_load"]

SECTIONS = tuple(SECTION_PREFIXES)

# The articles' free-text industries that clearly fall in one of the eight state high-tech fields;
# any other text is kept in industry_detail only.
INDUSTRY_FIELDS = {
    "medical devices (医疗器械)": TechField.BIOMEDICINE,
    "medical devices": TechField.BIOMEDICINE,
    "industrial internet; logistics automation": TechField.ADVANCED_MANUFACTURING,
    "energy storage equipment": TechField.NEW_ENERGY,
    "advanced materials": TechField.NEW_MATERIALS,
}


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0

    def __str__(self) -> str:
        return (
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.skipped} skipped"
        )


@dataclass
class LoadResult:
    counts: dict[str, Counts] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False

    def count(self, section: str) -> Counts:
        return self.counts.setdefault(section, Counts())


def fixtures_load(*, path: Path, dry_run: bool = False) -> LoadResult:
    """Load the fixture file at ``path``; with ``dry_run`` validate everything, then roll back."""
    data = _read(path)
    with transaction.atomic():
        result = _Loader(data, dry_run=dry_run).run()
        if dry_run:
            transaction.set_rollback(True)
    return result


def _read(path: Path) -> dict[str, list[Any]]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise FixtureError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise FixtureError(f"{path} is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise FixtureError(f"{path} must be a mapping of sections ({', '.join(SECTIONS)})")
    unknown = sorted(set(data) - set(SECTIONS))
    if unknown:
        raise FixtureError(f"unknown section {unknown[0]!r}; sections are {', '.join(SECTIONS)}")
    for section in SECTIONS:
        if not isinstance(data.get(section) or [], list):
            raise FixtureError(f"section {section!r} must be a list of records")
    return {section: data.get(section) or [] for section in SECTIONS}


def _label(field: str, value: str) -> str:
    return f"{field}: {value}" if value else ""


class _Loader:
    def __init__(self, data: dict[str, list[Any]], *, dry_run: bool) -> None:
        self.data = data
        self.result = LoadResult(dry_run=dry_run)
        self.today = timezone.localdate()
        self.known_files = frozenset(
            r["file"] for r in data["sources"] if isinstance(r, dict) and isinstance(r.get("file"), str)
        )
        # Every section's records by key, checked for duplicates before anything is written, so a
        # reference to a later record (an organisation set up by another) resolves too.
        self.raw: dict[str, dict[str, dict[str, Any]]] = {}
        for section in SECTIONS:
            by_key: dict[str, dict[str, Any]] = {}
            for index, raw in enumerate(data[section]):
                record = Record(section, index, raw, known_files=self.known_files)
                if record.key in by_key:
                    raise record.error("key", "is used by two records of this section")
                by_key[record.key] = raw
            self.raw[section] = by_key
        self.saved: dict[str, dict[str, Any]] = {section: {} for section in SECTIONS}

    def run(self) -> LoadResult:
        for section in SECTIONS:
            load = getattr(self, f"_load_{section}")
            for index, raw in enumerate(self.data[section]):
                record = Record(section, index, raw, known_files=self.known_files)
                load(record)
        self._link_mentors_to_incubators()
        return self.result

    # --- writing -------------------------------------------------------------------------

    def _save(self, record: Record, instance: models.Model, yaml_field: dict[str, str]) -> None:
        try:
            instance.full_clean()
        except ValidationError as exc:
            name, messages = next(iter(exc.message_dict.items()))
            label = yaml_field.get(name, name) if name != "__all__" else ""
            raise record.error(label, " ".join(messages)) from None
        try:
            with transaction.atomic():
                instance.save()
        except IntegrityError as exc:
            raise record.error("", f"the database refused it: {exc}") from None

    def _upsert(
        self,
        record: Record,
        model: type[models.Model],
        values: dict[str, Any],
        yaml_field: dict[str, str],
        lookup: dict[str, Any] | None = None,
    ) -> models.Model:
        """Create or update the row found by ``lookup`` (default: the key); count what happened."""
        lookup = lookup or {"key": record.key}
        counts = self.result.count(record.section)
        instance = model.objects.filter(**lookup).first()
        if instance is None:
            instance = model(**lookup, **values)
            self._save(record, instance, yaml_field)
            counts.created += 1
        else:
            changed = {name: value for name, value in values.items() if getattr(instance, name) != value}
            if changed:
                for name, value in changed.items():
                    setattr(instance, name, value)
                self._save(record, instance, yaml_field)
                counts.updated += 1
            else:
                counts.unchanged += 1
        self.saved[record.section][record.key] = instance
        return instance

    def _skip(self, record: Record, reason: str) -> None:
        self.result.count(record.section).skipped += 1
        self.result.warnings.append(f"{record.section} record {record.key!r} skipped: {reason}")

    def _set_m2m(self, manager: Any, ids: set[int], counts_as: str) -> None:
        """Make a many-to-many match ``ids``; each link counts as created, unchanged or (removed) updated."""
        current = set(manager.values_list("pk", flat=True))
        if current != ids:
            manager.set(ids)
        counts = self.result.count(counts_as)
        counts.created += len(ids - current)
        counts.updated += len(current - ids)
        counts.unchanged += len(ids & current)

    def _sourced(self, record: Record, *extra_notes: str) -> dict[str, Any]:
        source, quote = record.citation()
        return {
            "origin": RecordOrigin.ARTICLE,
            "source": source,
            "source_quote": quote,
            "notes": notes(record.text("note") or record.text("notes"), *extra_notes),
        }

    # --- sections ------------------------------------------------------------------------

    def _load_sources(self, record: Record) -> None:
        record.text("file", required=True)
        for name in ("title_zh", "outlet_zh", "place", "summary_en", "note"):
            record.text(name)
        record.date("published")
        record.citation()
        record.finish()
        self.result.count("sources").unchanged += 1

    def _load_organisations(self, record: Record) -> None:
        source, quote = record.citation()
        set_up_by = record.ref("set_up_by", self.raw["organisations"])
        values = {
            "name": record.text("name_zh", required=True),
            "name_en": record.text("name_en"),
            "kind": record.text("kind", required=True),
            "city": record.text("city"),
            "source": source,
            # Organisation has no source_quote field: the quotes go into the notes.
            "notes": notes(
                record.text("note"),
                _label("Set up by", self._name("organisations", set_up_by)),
                _label("Source quote", quote.replace("\n", " / ")),
            ),
        }
        record.finish()
        self._upsert(record, Organisation, values, {"name": "name_zh"})

    def _load_incubators(self, record: Record) -> None:
        operator = record.ref("operator", self.raw["organisations"])
        values = {
            "name": record.text("name_zh", required=True),
            "name_en": record.text("name_en"),
            "city": record.text("city", required=True),
            "zone": record.text("zone"),
            "kind": record.text("kind", required=True),
            "operator_id": self._pk("organisations", operator),
            **self._sourced(record),
        }
        record.finish()
        self._upsert(record, Incubator, values, {"name": "name_zh", "operator": "operator"})

    def _load_firms(self, record: Record) -> None:
        founded_on, founded_precision = record.date("founded")
        industry = record.text("industry")
        tech_field = record.text("tech_field")
        values = {
            "name": record.text("name_zh", required=True),
            "name_en": record.text("name_en"),
            "credit_code": record.text("credit_code"),
            "founded_on": founded_on,
            "founded_precision": founded_precision or Firm._meta.get_field("founded_precision").default,
            "industry": INDUSTRY_FIELDS.get(industry, ""),
            "industry_detail": industry,
            **self._sourced(record, _label("Technology", tech_field)),
        }
        aliases = record.get("other_names", [])
        record.finish()
        firm = self._upsert(
            record,
            Firm,
            values,
            {"name": "name_zh", "founded_on": "founded", "industry_detail": "industry"},
        )
        for alias in aliases if isinstance(aliases, list) else [None]:
            self._load_alias(record, firm, alias)

    def _load_alias(self, record: Record, firm: Firm, alias: Any) -> None:
        if (
            not isinstance(alias, dict)
            or not isinstance(alias.get("name"), str)
            or set(alias)
            - {
                "name",
                "source",
                "note",
            }
        ):
            raise record.error("other_names", "must be a list of {name, source, note}")
        source = alias.get("source") or ""
        if source and source not in record.known_files:
            raise record.error("other_names", f"cites {source}, which is not in the 'sources' section")
        counts = self.result.count("firm aliases")
        values = {"source": source, "note": alias.get("note") or ""}
        existing = FirmAlias.objects.filter(firm=firm, name=alias["name"]).first()
        if existing is None:
            self._save(record, FirmAlias(firm=firm, name=alias["name"], **values), {"name": "other_names"})
            counts.created += 1
        elif any(getattr(existing, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(existing, k, v)
            self._save(record, existing, {"name": "other_names", "note": "other_names"})
            counts.updated += 1
        else:
            counts.unchanged += 1

    def _load_residencies(self, record: Record) -> None:
        firm = record.ref("firm", self.raw["firms"], required=True)
        incubator = record.ref("incubator", self.raw["incubators"], required=True)
        entered_on, entered_precision = record.date("entered")
        exited_on, exited_precision = record.date("exited")
        exit_reason = record.text("exit_reason")
        assumed = record.flag("assumed")
        values = {
            "firm_id": self._pk("firms", firm),
            "incubator_id": self._pk("incubators", incubator),
            "entered_on": entered_on,
            "entered_precision": entered_precision,
            "exited_on": exited_on,
            "exit_reason": exit_reason,
            # Residency has no 'assumed' field: say so in the notes.
            **self._sourced(
                record,
                "Assumed: yes (an interpretation, not stated by the source)." * assumed,
                # Residency has no precision field for the exit date.
                _label("Exit date precision", exited_precision if exited_precision != "day" else ""),
            ),
        }
        record.finish()
        if entered_on is None:
            self._skip(record, "the article gives no entry date and Residency.entered_on is required")
            return
        self._upsert(
            record, Residency, values, {"entered_on": "entered", "exited_on": "exited", "firm": "firm"}
        )

    def _load_certifications(self, record: Record) -> None:
        firm = record.ref("firm", self.raw["firms"], required=True)
        code = record.text("kind", required=True)
        kind = CertificationKind.objects.filter(code=code).first()
        if kind is None:
            raise record.error("kind", f"unknown certification kind {code!r}")
        issued_on, issued_precision = record.date("issued")
        expires_on, expires_precision = record.date("expires")
        issued_precision = issued_precision or Certification._meta.get_field("issued_precision").default
        probe = Certification(
            kind=kind,
            issued_on=issued_on,
            issued_precision=issued_precision,
            expires_on=expires_on,
            expires_precision=expires_precision or Certification._meta.get_field("expires_precision").default,
        )
        certification_fill_expiry(certification=probe)
        assumed = record.flag("assumed")
        extra = []
        if expires_on is None and probe.expires_on is not None:
            months = kind.validity_months
            extra.append(f"Expiry not stated: derived from the kind's validity ({months} months).")
        status = record.text("status", required=True)
        if status == CertificationStatus.GRANTED and has_lapsed(
            probe.expires_on, probe.expires_precision, self.today
        ):
            # The article says granted (or the demo assumes it); by today the certificate has
            # lapsed (same rule as certifications_expire_lapsed, so a reload changes nothing).
            status = CertificationStatus.EXPIRED
            if assumed:
                extra.append("Assumed granted (not in the source); expired since its expiry date has passed.")
            else:
                extra.append("Granted per the source; expired since its expiry date has passed.")
        values = {
            "firm_id": self._pk("firms", firm),
            "kind_id": kind.pk,
            "status": status,
            "issued_on": issued_on,
            "issued_precision": issued_precision,
            "expires_on": probe.expires_on,
            "expires_precision": probe.expires_precision,
            "issuer": record.text("issuer"),
            "assumed": assumed,
            **self._sourced(record, *extra),
        }
        record.finish()
        self._upsert(
            record, Certification, values, {"issued_on": "issued", "expires_on": "expires", "kind": "kind"}
        )

    def _load_milestones(self, record: Record) -> None:
        firm = record.ref("firm", self.raw["firms"], required=True)
        occurred_on, precision = record.date("date")
        values = {
            "firm_id": self._pk("firms", firm),
            "occurred_on": occurred_on,
            "date_precision": precision or Milestone._meta.get_field("date_precision").default,
            "title": record.text("title_zh", required=True),
            "title_en": record.text("title_en"),
            **self._sourced(record),
        }
        record.finish()
        self._upsert(record, Milestone, values, {"occurred_on": "date", "title": "title_zh"})

    def _load_programmes(self, record: Record) -> None:
        operators = record.refs("operator", self.raw["organisations"])
        started, started_precision = record.date("started")
        rewards = record.get("rewards_by_level_cny")
        if rewards is not None and not isinstance(rewards, dict):
            raise record.error("rewards_by_level_cny", "must be a mapping of level to amount")
        rewards_text = ", ".join(
            f"{level} {record.amount('rewards_by_level_cny', amount)}"
            for level, amount in (rewards or {}).items()
        )
        risk_share = record.get("risk_share_percent")
        values = {
            "name": record.text("name_zh", required=True),
            "name_en": record.text("name_en"),
            "kind": record.text("kind", required=True),
            "city": record.text("city"),
            "fund_size": record.amount("fund_size_cny"),
            "cap_per_firm": record.amount("cap_per_firm_cny"),
            "risk_share_percent": record.amount("risk_share_percent", risk_share),
            "stats_note": record.text("stats_note"),
            **self._sourced(
                record,
                _label("Started", f"{started} (precision: {started_precision})" if started else ""),
                _label("Rewards by level (CNY)", rewards_text),
            ),
        }
        record.finish()
        programme = self._upsert(
            record,
            Programme,
            values,
            {"name": "name_zh", "fund_size": "fund_size_cny", "cap_per_firm": "cap_per_firm_cny"},
        )
        operator_ids = {self._pk("organisations", k) for k in operators}
        self._set_m2m(programme.operators, operator_ids, "programme operators")

    def _load_financing(self, record: Record) -> None:
        firm = record.ref("firm", self.raw["firms"], required=True)
        programme = record.ref("programme", self.raw["programmes"])
        occurred_on, precision = record.date("date")
        amount = record.amount("amount_cny")
        institutions = record.get("institutions", [])
        values = {
            "firm_id": self._pk("firms", firm),
            "kind": record.text("kind", required=True),
            "instrument": record.text("instrument", required=True),
            "programme_id": self._pk("programmes", programme),
            "amount": amount,
            "amount_precision": record.text("amount_precision")
            or (AmountPrecision.EXACT if amount is not None else AmountPrecision.UNKNOWN),
            "occurred_on": occurred_on,
            "date_precision": precision or FinancingEvent._meta.get_field("date_precision").default,
            "loan_status": record.text("loan_status"),
            **self._sourced(record),
        }
        record.finish()
        event = self._upsert(
            record,
            FinancingEvent,
            values,
            {"amount": "amount_cny", "occurred_on": "date", "programme": "programme", "__all__": ""},
        )
        if not isinstance(institutions, list):
            raise record.error("institutions", "must be a list of {org, role}")
        for item in institutions:
            if not isinstance(item, dict) or set(item) != {"org", "role"}:
                raise record.error("institutions", "must be a list of {org, role}")
            org = record.ref("institutions", self.raw["organisations"], value=item["org"])
            participant = FinancingParticipant(
                event=event, organisation_id=self._pk("organisations", org), role=item["role"]
            )
            counts = self.result.count("financing participants")
            if FinancingParticipant.objects.filter(
                event=event, organisation_id=participant.organisation_id, role=participant.role
            ).exists():
                counts.unchanged += 1
            else:
                self._save(record, participant, {"role": "institutions", "organisation": "institutions"})
                counts.created += 1

    def _load_mentors(self, record: Record) -> None:
        organisation = record.ref("organisation", self.raw["organisations"])
        values = {
            "name": record.text("name_zh", required=True),
            "name_en": record.text("name_en"),
            "kind": record.text("kind", required=True),
            "title": record.text("title"),
            "organisation_id": self._pk("organisations", organisation),
            **self._sourced(record),
        }
        record.finish()
        self._upsert(record, Mentor, values, {"name": "name_zh"})

    def _load_services(self, record: Record) -> None:
        firms = record.refs("firm", self.raw["firms"])
        incubator = record.ref("incubator", self.raw["incubators"])
        mentor = record.ref("mentor", self.raw["mentors"])
        organisation = record.ref("organisation", self.raw["organisations"])
        occurred_on, precision = record.date("date")
        values = {
            "kind": record.text("kind", required=True),
            "incubator_id": self._pk("incubators", incubator),
            "mentor_id": self._pk("mentors", mentor),
            "occurred_on": occurred_on,
            "date_precision": precision or ServiceRecord._meta.get_field("date_precision").default,
            "topic": record.text("topic", required=True),
            "outcome": record.text("outcome"),
            "attendees_note": record.text("attendees_note"),
            # ServiceRecord has no organisation field: a service run by a zone or bureau says so here.
            **self._sourced(record, _label("Run by", self._name("organisations", organisation))),
        }
        record.finish()
        service = self._upsert(record, ServiceRecord, values, {"occurred_on": "date"})
        self._set_m2m(service.firms, {self._pk("firms", k) for k in firms}, "service firms")

    def _load_white_list(self, record: Record) -> None:
        """A firm an incubator recommends to a bank: {key, firm, incubator, bank, date, note, ...}."""
        firm = record.ref("firm", self.raw["firms"], required=True)
        incubator = record.ref("incubator", self.raw["incubators"], required=True)
        bank = record.ref("bank", self.raw["organisations"], required=True)
        recommended_on, precision = record.date("date")
        source, quote = record.citation()
        values = {
            "status": record.text("status") or BankRecommendation._meta.get_field("status").default,
            "source": source,
            # BankRecommendation has no key, notes or quote fields: the reason carries them.
            "reason": notes(
                record.text("note"),
                _label("Date precision", precision if precision != "day" else ""),
                _label("Source quote", quote),
                f"Fixture key: {record.key}",
            ),
        }
        record.finish()
        if recommended_on is None:
            self._skip(record, "no date given and BankRecommendation.recommended_on is required")
            return
        lookup = {
            "firm_id": self._pk("firms", firm),
            "incubator_id": self._pk("incubators", incubator),
            "bank_id": self._pk("organisations", bank),
            "recommended_on": recommended_on,
        }
        self._upsert(record, BankRecommendation, values, {"recommended_on": "date"}, lookup=lookup)

    # --- helpers -------------------------------------------------------------------------

    def _pk(self, section: str, key: str | None) -> int | None:
        return None if key is None else self.saved[section][key].pk

    def _name(self, section: str, key: str | None) -> str:
        return "" if key is None else f"{self.raw[section][key].get('name_zh')} ({key})"

    def _link_mentors_to_incubators(self) -> None:
        """A mentor serves the incubators their service records were given in (derived, not new)."""
        for mentor in self.saved["mentors"].values():
            served = {
                service.incubator_id
                for service in self.saved["services"].values()
                if service.mentor_id == mentor.pk and service.incubator_id
            }
            current = set(mentor.incubators.values_list("pk", flat=True))
            if served - current:
                mentor.incubators.add(*(served - current))
            counts = self.result.count("mentor incubators")
            counts.created += len(served - current)
            counts.unchanged += len(served & current)
