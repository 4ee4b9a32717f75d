"""Login, logout and deactivation hooks that keep sessions short-lived and revocable, and the security
events they write to the audit log (never a password, never a code, never survivor data)."""

from allauth.account.signals import password_changed, password_reset, password_set
from allauth.mfa.signals import authentication_failed, authenticator_added, authenticator_removed, authenticator_reset
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from accounts.middleware import session_stamp
from audit.enums import AuditAction
from audit.services import security_event_record


@receiver(user_logged_in, dispatch_uid="haven_session_stamp")
def _on_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        session_stamp(request, user)
    security_event_record(action=AuditAction.LOGIN, account=user, request=request)


@receiver(user_login_failed, dispatch_uid="haven_login_failed")
def _on_login_failed(sender, credentials, request=None, **kwargs):
    login = (credentials.get("email") or credentials.get("username") or "").strip()
    account = get_user_model().objects.filter(email__iexact=login).first() if login else None
    # The typed login is not kept: people type their password into the wrong field.
    security_event_record(
        action=AuditAction.LOGIN_FAILED,
        account=account,
        actor=None,
        request=request,
        detail="" if account else "no such account",
    )


@receiver(user_logged_out, dispatch_uid="haven_logout_clear_site_data")
def _on_logout(sender, request, user, **kwargs):
    if request is not None:
        request._haven_logged_out = True
    if user is not None:
        security_event_record(action=AuditAction.SESSION_ENDED, account=user, request=request, detail="logged out")


@receiver(authentication_failed, dispatch_uid="haven_mfa_failed")
def _on_mfa_failed(sender, request, user, **kwargs):
    security_event_record(action=AuditAction.MFA_FAILED, account=user, actor=None, request=request)


@receiver(authenticator_added, dispatch_uid="haven_mfa_added")
def _on_authenticator_added(sender, request, user, authenticator, **kwargs):
    if request is not None and hasattr(request, "session") and authenticator.type == authenticator.Type.TOTP:
        # Setting it up took a valid code from the app: this session has passed the second factor.
        from allauth.account.internal.flows.login import record_authentication

        record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type)
    security_event_record(
        action=AuditAction.MFA_CHANGED, account=user, request=request, detail=f"{authenticator.type} added"
    )


@receiver(authenticator_removed, dispatch_uid="haven_mfa_removed")
def _on_authenticator_removed(sender, request, user, authenticator, **kwargs):
    security_event_record(
        action=AuditAction.MFA_CHANGED, account=user, request=request, detail=f"{authenticator.type} removed"
    )


@receiver(authenticator_reset, dispatch_uid="haven_mfa_reset")
def _on_authenticator_reset(sender, request, user, authenticator, **kwargs):
    security_event_record(
        action=AuditAction.MFA_CHANGED, account=user, request=request, detail=f"{authenticator.type} renewed"
    )


@receiver(password_changed, dispatch_uid="haven_password_changed")
@receiver(password_set, dispatch_uid="haven_password_set")
@receiver(password_reset, dispatch_uid="haven_password_reset")
def _on_password_changed(sender, request, user, signal=None, **kwargs):
    how = {password_set: "set", password_reset: "reset by email"}.get(signal, "changed")
    security_event_record(action=AuditAction.PASSWORD_CHANGED, account=user, request=request, detail=how)


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
