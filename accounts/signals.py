"""Login, logout and deactivation hooks that keep sessions short-lived and revocable."""

from allauth.mfa.signals import authenticator_removed
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from accounts.middleware import SESSION_MFA_OK, session_stamp


@receiver(user_logged_in, dispatch_uid="haven_session_stamp")
def _on_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        session_stamp(request, user)


@receiver(user_logged_out, dispatch_uid="haven_logout_clear_site_data")
def _on_logout(sender, request, user, **kwargs):
    if request is not None:
        request._haven_logged_out = True


@receiver(authenticator_removed, dispatch_uid="haven_mfa_removed")
def _on_authenticator_removed(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session.pop(SESSION_MFA_OK, None)


@receiver(pre_save, sender=get_user_model(), dispatch_uid="haven_remember_is_active")
def _remember_is_active(sender, instance, raw=False, update_fields=None, **kwargs):
    # Saves that cannot touch is_active (last_login at every login) cost no extra query.
    if raw or instance.pk is None or (update_fields is not None and "is_active" not in update_fields):
        instance._haven_was_active = None
        return
    instance._haven_was_active = sender.objects.filter(pk=instance.pk).values_list("is_active", flat=True).first()


@receiver(post_save, sender=get_user_model(), dispatch_uid="haven_end_sessions_on_deactivation")
def _end_sessions_on_deactivation(sender, instance, created, raw=False, **kwargs):
    if raw or created:
        return
    if getattr(instance, "_haven_was_active", None) and not instance.is_active:
        from core.security import user_sessions_end

        user_sessions_end(user=instance)
