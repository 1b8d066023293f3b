"""The daily-digest choice now lives on the notification centre's subscriptions: `notifications
0005` moved every NotificationPreference (and what waited for the old digest) there first."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('participation', '0011_counting_method_words'),
        ('notifications', '0005_participation_digest_moved'),
    ]

    operations = [
        migrations.DeleteModel(
            name='NotificationPreference',
        ),
    ]
