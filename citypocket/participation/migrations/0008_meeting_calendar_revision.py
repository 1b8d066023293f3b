import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("participation", "0007_counting_method_equal_shares_raised"),
    ]

    operations = [
        migrations.AddField(
            model_name="meeting",
            name="is_cancelled",
            field=models.BooleanField(
                default=False, help_text="Kept in the calendars, marked cancelled.", verbose_name="cancelled"
            ),
        ),
        migrations.AddField(
            model_name="meeting",
            name="sequence",
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name="revision"),
        ),
        migrations.AddField(
            model_name="meeting",
            name="created_at",
            field=models.DateTimeField(
                auto_now_add=True, default=django.utils.timezone.now, verbose_name="created"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="meeting",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, verbose_name="updated"),
        ),
    ]
