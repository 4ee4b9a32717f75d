"""Wagtail's history log ("site history") stores each changed record's title; for a survivor that is her
alias, in a second log that retention cannot reach. Her records are logged by model name and id instead.
"""

from django.db.models.signals import pre_save
from django.dispatch import receiver
from wagtail.models import ModelLogEntry

# App label and model name, as in ContentType.
SURVIVOR_MODELS = {
    ("groups", "member"),
    ("groups", "membership"),
    ("groups", "attendance"),
    ("counseling", "client"),
    ("counseling", "booking"),
    ("counseling", "intakerequest"),
    ("audit", "compelleddisclosure"),
}


@receiver(pre_save, sender=ModelLogEntry, dispatch_uid="audit.survivor_log_label")
def survivor_log_label(sender, instance, **kwargs):
    content_type = instance.content_type
    if (content_type.app_label, content_type.model) in SURVIVOR_MODELS:
        instance.label = f"{content_type.model} {instance.object_id}"
