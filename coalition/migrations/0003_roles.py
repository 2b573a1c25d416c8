"""Create the three roles as groups; their permissions are synced after every migrate (coalition.roles)."""

from django.db import migrations

ROLES = ["Coordinator", "Editorial team", "Member"]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("coalition", "0002_initial"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
