"""People sort the Dutch way: by surname without tussenvoegsel, then first name, folded (DESIGN.md §4).

Two stored keys (members.models.sort_key of the surname and of the first name) replace last and first name in the
order and in the directory's partial index; the rows before this migration get theirs here.
"""

from django.db import migrations, models

from members.models import sort_key, surname

BATCH = 1000


def fill_sort_keys(apps, schema_editor):
    profile_model = apps.get_model("members", "Profile")
    batch = []
    for profile in profile_model.objects.only("pk", "first_name", "last_name").order_by("pk").iterator(BATCH):
        profile.sort_surname = sort_key(surname(profile.last_name))
        profile.sort_first_name = sort_key(profile.first_name)
        batch.append(profile)
        if len(batch) == BATCH:
            profile_model.objects.bulk_update(batch, ["sort_surname", "sort_first_name"])
            batch = []
    profile_model.objects.bulk_update(batch, ["sort_surname", "sort_first_name"])


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0007_search_matches_function"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="profile",
            options={
                "ordering": ["sort_surname", "sort_first_name", "pk"],
                "permissions": [("approve_profile", "Can approve or decline members")],
                "verbose_name": "profile",
                "verbose_name_plural": "profiles",
            },
        ),
        migrations.RemoveIndex(
            model_name="profile",
            name="profile_directory_order",
        ),
        migrations.AddField(
            model_name="profile",
            name="sort_first_name",
            field=models.CharField(blank=True, editable=False, max_length=200, verbose_name="first name for sorting"),
        ),
        migrations.AddField(
            model_name="profile",
            name="sort_surname",
            field=models.CharField(blank=True, editable=False, max_length=200, verbose_name="surname for sorting"),
        ),
        migrations.RunPython(fill_sort_keys, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="profile",
            index=models.Index(
                condition=models.Q(("status", "approved")),
                fields=["sort_surname", "sort_first_name", "id"],
                name="profile_directory_order",
            ),
        ),
    ]
