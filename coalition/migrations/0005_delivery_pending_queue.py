# A partial index for the outbox workers' claim query (next pending delivery of a mailing by id).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('coalition', '0004_delivery_retry_fields'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='delivery',
            index=models.Index(condition=models.Q(('state', 'pending')), fields=['mailing', 'id'], name='delivery_pending_queue'),
        ),
    ]
