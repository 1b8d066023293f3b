# The constraints come in their own migration: on PostgreSQL, the rows written by 0003's data step
# leave deferred foreign-key checks pending until its transaction commits, and a table with pending
# trigger events cannot be altered in the same transaction.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("mobility", "0003_carpark_national_id_issued_once"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="carpark",
            constraint=models.UniqueConstraint(
                condition=models.Q(("national_id", ""), _negated=True),
                fields=("city", "national_id"),
                name="carpark_unique_national_id",
                violation_error_message="Another car park of this city already has this national id.",
            ),
        ),
        migrations.AddConstraint(
            model_name="issuednationalid",
            constraint=models.UniqueConstraint(fields=("city", "national_id"), name="issued_national_id_unique"),
        ),
    ]
