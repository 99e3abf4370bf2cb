"""The search's indexes (alliance/portal/search.py), on PostgreSQL only: pg_trgm, then per searched table a GIN index
on the full-text document (the expression of ``search.Document``, character for character) and a trigram GIN index
on the title. SQLite, the embedded default, searches without them."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

# table, title column, text columns: the same as search.KINDS
SEARCHED = [
    ("members_organization", "name", ["description"]),
    ("projects_project", "title", ["summary", "description"]),
    ("projects_catalogentry", "name", ["description"]),
    ("events_event", "title", ["description"]),
    ("governance_committee", "name", ["description"]),
]


def _document(columns: list[str]) -> str:
    joined = ", '') || ' ' || coalesce(".join(f'"{column}"' for column in columns)
    return f"to_tsvector('english'::regconfig, coalesce({joined}, ''))"


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, title, texts in SEARCHED:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{table}_search_document" ON "{table}" USING gin ({_document([title, *texts])})'
        )
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{table}_search_title_trgm" ON "{table}" USING gin ("{title}" gin_trgm_ops)'
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, _title, _texts in SEARCHED:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{table}_search_document"')
        schema_editor.execute(f'DROP INDEX IF EXISTS "{table}_search_title_trgm"')


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0001_initial"),
        ("projects", "0001_initial"),
        ("events", "0001_initial"),
        ("governance", "0001_initial"),
    ]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
