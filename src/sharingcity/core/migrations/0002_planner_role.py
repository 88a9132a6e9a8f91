from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.AlterField(
            model_name="roleassignment",
            name="role",
            field=models.CharField(
                choices=[
                    ("resident", "Resident"),
                    ("department_officer", "Department officer"),
                    ("department_head", "Department head"),
                    ("bureau_admin", "Innovation bureau admin"),
                    ("organisation_operator", "Sharing organisation operator"),
                    ("citizen_overseer", "Citizen overseer"),
                    ("planner", "City planner"),
                ],
                max_length=30,
                verbose_name="role",
            ),
        ),
    ]
