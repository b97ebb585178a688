"""Create the three roles (Editors, Fact-checkers, Viewers) with their permissions."""

from django.db import migrations

from factcheck.permissions import ROLE_PERMISSIONS, roles_migrate


def create_roles(apps, schema_editor):
    # Permissions of models added by later migrations (reports, 0019) are given by those migrations.
    roles_migrate(apps, schema_editor, strict=False)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.using(schema_editor.connection.alias).filter(name__in=list(ROLE_PERMISSIONS)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("factcheck", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
