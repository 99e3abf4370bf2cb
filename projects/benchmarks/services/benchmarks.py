"""Defining a benchmark on a benchmark project: its metrics (exactly one primary), its rules, its catalog entry."""

import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import IntegrityError, transaction

from alliance.audit import audit_record
from alliance.errors import DomainError, NotPermitted
from projects.models import CatalogEntry, Project

from ..models import METRIC_KEY_PATTERN, Benchmark, Metric
from ..selectors import may_define_benchmark
from ._common import notify_benchmark, project_people, require_manager

MAX_METRICS = 20


def clean_metrics(metrics: Iterable[Mapping[str, Any]]) -> list[Metric]:
    """The metrics as unsaved rows, or the first problem with them as a DomainError on ``metrics``."""
    rows: list[Metric] = []
    keys: set[str] = set()
    for position, metric in enumerate(metrics):
        key = str(metric.get("key") or "").strip()
        name = str(metric.get("name") or "").strip()
        if not re.match(METRIC_KEY_PATTERN, key):
            raise DomainError(
                f"“{key}” is not a metric key: use lower case letters, digits and underscores, starting with a letter.",
                field="metrics",
            )
        if key in keys:
            raise DomainError(f"Two metrics have the key “{key}”: each needs its own.", field="metrics")
        if not name:
            raise DomainError(f"Give the metric “{key}” a name.", field="metrics")
        if not isinstance(metric.get("higher_is_better"), bool):
            raise DomainError(f"Say whether a higher “{key}” is better.", field="metrics")
        keys.add(key)
        rows.append(
            Metric(
                key=key,
                name=name,
                unit=str(metric.get("unit") or "").strip(),
                higher_is_better=metric["higher_is_better"],
                primary=bool(metric.get("primary")),
                position=position,
            )
        )
    if not rows:
        raise DomainError("A benchmark measures at least one metric.", field="metrics")
    if len(rows) > MAX_METRICS:
        raise DomainError(f"A benchmark measures at most {MAX_METRICS} metrics.", field="metrics")
    if sum(row.primary for row in rows) != 1:
        raise DomainError("Mark exactly one metric as primary: it ranks the leaderboard.", field="metrics")
    return rows


def _check_catalog_entry(project: Project, catalog_entry: CatalogEntry | None) -> None:
    if catalog_entry is not None and catalog_entry.project_id != project.pk:
        raise DomainError("The catalog entry must be one of this project's.", field="catalog_entry")


def benchmark_define(
    *,
    actor: Any,
    project: Project,
    metrics: Iterable[Mapping[str, Any]],
    rules: str,
    catalog_entry: CatalogEntry | None = None,
) -> Benchmark:
    """A benchmark project's leads (or staff) say what it measures and by which rules, once.

    The metrics are fixed from then on, so that every round of the benchmark compares like with like.
    """
    if not may_define_benchmark(actor, project):
        raise NotPermitted(f"Only staff and the leads of {project} can define its benchmark.")
    if project.kind != Project.Kind.BENCHMARK:
        raise DomainError("Only a project of the benchmark kind defines a benchmark.", field="project")
    if project.state not in Project.LIVE_STATES:
        raise DomainError("The project must be incubating or active to define its benchmark.", field="project")
    rows = clean_metrics(metrics)
    rules = (rules or "").strip()
    if not rules:
        raise DomainError("Write the rules: objections cite them.", field="rules")
    _check_catalog_entry(project, catalog_entry)
    try:
        with transaction.atomic():
            benchmark = Benchmark.objects.create(
                project=project, rules=rules, catalog_entry=catalog_entry, created_by=actor
            )
            for row in rows:
                row.benchmark = benchmark
            Metric.objects.bulk_create(rows)
            audit_record(
                actor=actor,
                action="benchmark.defined",
                target=benchmark,
                note=", ".join(f"{row.key}{' (primary)' if row.primary else ''}" for row in rows),
            )
    except IntegrityError as error:  # two leads defining it at the same moment
        raise DomainError("This project already defines its benchmark.", field="project") from error
    return benchmark


BENCHMARK_EDITABLE_FIELDS = ("rules", "catalog_entry")


def benchmark_update(*, actor: Any, benchmark: Benchmark, **fields: Any) -> Benchmark:
    """Leads and staff rewrite the rules or link the catalog entry; the project's people are told of new rules."""
    require_manager(actor, benchmark)
    unknown = set(fields) - set(BENCHMARK_EDITABLE_FIELDS)
    if unknown:
        raise DomainError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    if "rules" in fields:
        fields["rules"] = (fields["rules"] or "").strip()
        if not fields["rules"]:
            raise DomainError("Write the rules: objections cite them.", field="rules")
    if "catalog_entry" in fields:
        _check_catalog_entry(benchmark.project, fields["catalog_entry"])
    with transaction.atomic():
        changes = {name: (getattr(benchmark, name), value) for name, value in fields.items()}
        changes = {name: change for name, change in changes.items() if change[0] != change[1]}
        for name, (_, value) in changes.items():
            setattr(benchmark, name, value)
        if changes:
            benchmark.save(update_fields=[*changes, "updated_at"])
            audit_record(actor=actor, action="benchmark.updated", target=benchmark, changes=changes)
            if "rules" in changes:
                notify_benchmark(
                    project_people(benchmark).exclude(pk=actor.pk),
                    "rules_changed",
                    url=benchmark.get_absolute_url(),
                    benchmark=benchmark,
                )
    return benchmark
