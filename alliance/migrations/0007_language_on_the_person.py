"""The person's language moves to the account (``members.User.language``), beside their time zone: pages and
messages read it from the person, with no extra query. What people chose is copied before the old table goes."""

from django.db import migrations


def copy_languages(apps, schema_editor):
    profiles = apps.get_model("alliance", "NotificationProfile")
    people = apps.get_model("members", "User")
    for person_id, language in profiles.objects.exclude(language="").values_list("person_id", "language"):
        people.objects.filter(pk=person_id).update(language=language)


def copy_back(apps, schema_editor):
    profiles = apps.get_model("alliance", "NotificationProfile")
    people = apps.get_model("members", "User")
    for person_id, language in people.objects.exclude(language="").values_list("pk", "language"):
        profiles.objects.update_or_create(person_id=person_id, defaults={"language": language})


class Migration(migrations.Migration):
    dependencies = [
        ("alliance", "0006_notification_consent"),
        ("members", "0006_person_language_and_time_zone"),
    ]

    operations = [
        migrations.RunPython(copy_languages, copy_back),
        migrations.DeleteModel(name="NotificationProfile"),
    ]
