# Transient-error backoff and a fixed Message-ID per delivery (the hardened outbox).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('coalition', '0003_roles'),
    ]

    operations = [
        migrations.AddField(
            model_name='delivery',
            name='message_id',
            field=models.CharField(blank=True, max_length=255, verbose_name='Message-ID'),
        ),
        migrations.AddField(
            model_name='delivery',
            name='next_attempt_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='next attempt at'),
        ),
        migrations.AddField(
            model_name='delivery',
            name='attempted_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='last attempt at'),
        ),
    ]
