import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import core.dates
import core.fields


class Migration(migrations.Migration):

    dependencies = [
        ('groups', '0003_histories_are_protected'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='attendance',
            name='client_id',
            field=models.CharField(blank=True, max_length=64, null=True, verbose_name='mark id from the device'),
        ),
        migrations.AddField(
            model_name='attendance',
            name='received_at',
            field=models.DateTimeField(default=core.dates.now, verbose_name='received'),
        ),
        migrations.AddField(
            model_name='attendancechange',
            name='applied',
            field=models.BooleanField(default=True, verbose_name='applied'),
        ),
        migrations.AddField(
            model_name='attendancechange',
            name='client_id',
            field=models.CharField(blank=True, max_length=64, null=True, unique=True, verbose_name='mark id from the device'),
        ),
        migrations.AddField(
            model_name='attendancechange',
            name='marked_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='marked'),
        ),
        migrations.AlterField(
            model_name='attendance',
            name='recorded_at',
            field=models.DateTimeField(default=core.dates.now, verbose_name='marked'),
        ),
        migrations.AlterField(
            model_name='attendancechange',
            name='changed_at',
            field=models.DateTimeField(default=core.dates.now, verbose_name='received'),
        ),
        migrations.AlterField(
            model_name='groupsession',
            name='cancel_reason',
            field=core.fields.EncryptedTextField(blank=True, verbose_name='reason for cancelling'),
        ),
        migrations.AlterField(
            model_name='groupsession',
            name='topic',
            field=core.fields.EncryptedTextField(blank=True, verbose_name='topic'),
        ),
        migrations.CreateModel(
            name='FollowUpAction',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('step', models.CharField(choices=[('contacted', 'Contacted'), ('resolved', 'Resolved')], max_length=10, verbose_name='step')),
                ('at', models.DateTimeField(default=core.dates.now, verbose_name='when')),
                ('absence_session', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='groups.groupsession', verbose_name='session of the second absence')),
                ('by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='by')),
                ('membership', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='followup_actions', to='groups.membership', verbose_name='membership')),
            ],
            options={
                'verbose_name': 'follow-up step',
                'verbose_name_plural': 'follow-up steps',
                'ordering': ['at', 'pk'],
                'constraints': [models.UniqueConstraint(fields=('membership', 'absence_session', 'step'), name='followup_action_once_per_step')],
            },
        ),
    ]
