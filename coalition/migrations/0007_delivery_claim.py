# Deliveries are claimed in batches (coalition.outbox): which database session holds a claim, and since when.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('coalition', '0006_cache_table'),
    ]

    operations = [
        migrations.AddField(
            model_name='delivery',
            name='claimed_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='claimed at'),
        ),
        migrations.AddField(
            model_name='delivery',
            name='claimed_by',
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name='claimed by'),
        ),
    ]
