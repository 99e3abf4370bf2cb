"""The personal-data contract of ARCHITECTURE.md: every app that stores something about a person answers, in
``<app>.selectors.personal_data(person)``, what it holds about them; no link to a person is left out."""

from importlib import import_module

import pytest
from django.apps import apps
from django.conf import settings
from django.db.models import QuerySet

from tests.members.factories import UserFactory

pytestmark = pytest.mark.django_db

OUR_PACKAGES = ("alliance", "members", "projects", "events")


def _our_apps():
    return [config for config in apps.get_app_configs() if config.name.split(".")[0] in OUR_PACKAGES]


def _links_to_a_person(model) -> list:
    """The model's own fields (foreign keys, one-to-ones, many-to-manys) that point at a person."""
    return [
        field
        for field in model._meta.get_fields()
        if field.concrete and field.is_relation and field.related_model is not None
        and field.related_model._meta.label == settings.AUTH_USER_MODEL
    ]  # fmt: skip


def _where(query: QuerySet) -> str:
    """The query's condition: what it selects rows by."""
    sql = str(query.query)
    return sql.split(" WHERE ", 1)[1] if " WHERE " in sql else ""


def _answers(person) -> dict[str, dict[str, QuerySet]]:
    answers = {}
    for config in _our_apps():
        try:
            selectors = import_module(f"{config.name}.selectors")
        except ModuleNotFoundError:
            continue
        if hasattr(selectors, "personal_data"):
            answers[config.label] = selectors.personal_data(person)
    return answers


def test_every_link_to_a_person_is_part_of_its_apps_answer():
    # given a person, and every model of the portal that points at people
    person = UserFactory()
    answers = _answers(person)

    # when each link is looked for in the answer of the model's own app
    missing = []
    for config in _our_apps():
        for model in config.get_models():
            for field in _links_to_a_person(model):
                column = field.m2m_reverse_name() if field.many_to_many else field.column
                table = field.m2m_db_table() if field.many_to_many else model._meta.db_table
                parts = answers.get(config.label, {}).values()
                if not any(
                    part.model is model and f'"{table}"."{column}"' in _where(part) for part in parts
                ) and model is not apps.get_model(settings.AUTH_USER_MODEL):
                    missing.append(f"{model._meta.label}.{field.name}")

    # then none is missing (a many-to-many through a model of its own is answered by that model)
    through_models = {
        f"{model._meta.label}.{field.name}"
        for config in _our_apps()
        for model in config.get_models()
        for field in _links_to_a_person(model)
        if field.many_to_many and not field.remote_field.through._meta.auto_created
    }
    assert sorted(set(missing) - through_models) == []


def test_each_part_is_a_query_of_the_rows_about_that_person_only():
    # given two people, one of whom took part in something of every app
    from tests.events.factories import RegistrationFactory
    from tests.members.factories import AffiliationFactory
    from tests.projects.factories import ParticipationFactory

    person, other = UserFactory(), UserFactory()
    for someone in (person, other):
        AffiliationFactory(person=someone)
        ParticipationFactory(person=someone)
        RegistrationFactory(person=someone)

    # when each app answers for the first person
    answers = _answers(person)

    # then every part is a query, and only the first person's rows are in it
    assert {"alliance", "members", "projects", "events", "webhooks"} <= set(answers)
    assert list(answers["members"]["account"]) == [person]
    assert answers["members"]["affiliations"].count() == 1
    assert answers["projects"]["participations"].count() == 1
    assert answers["events"]["registrations"].count() == 1
    for parts in answers.values():
        for part in parts.values():
            assert isinstance(part, QuerySet)


def test_each_apps_own_rows_name_parts_of_its_answer():
    # given every app's answer and the parts it names as the person's own rows (for the audit entries about them)
    person = UserFactory()
    named = {}
    for config in _our_apps():
        try:
            selectors = import_module(f"{config.name}.selectors")
        except ModuleNotFoundError:
            continue
        if hasattr(selectors, "PERSONAL_DATA_OWN_ROWS"):
            named[config.label] = (set(selectors.PERSONAL_DATA_OWN_ROWS), set(selectors.personal_data(person)))

    # then each app names some, and only parts it answers with
    assert {"members", "projects", "events", "benchmarks", "governance", "webhooks"} <= set(named)
    assert {label: own - parts for label, (own, parts) in named.items() if own - parts} == {}
