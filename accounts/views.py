from allauth.account.utils import get_next_redirect_url
from allauth.mfa.recovery_codes.views import ViewRecoveryCodesView
from allauth.mfa.totp.views import ActivateTOTPView
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from accounts.dashboard import panels_for
from accounts.forms import ProfileForm
from accounts.models import Profile
from accounts.roles import user_roles
from accounts.services import profile_save


@login_required
def home(request):
    return render(
        request,
        "accounts/home.html",
        {"panels": panels_for(request), "roles": sorted(user_roles(request.user))},
    )


@login_required
def profile_edit(request):
    profile = Profile.objects.filter(user=request.user).first()
    form = ProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        profile_save(user=request.user, **form.cleaned_data)
        messages.success(request, _("Your profile was saved."))
        return redirect("accounts:profile")
    from accounts.privacy import may_delete_own_account

    return render(request, "accounts/profile.html", {"form": form, "may_delete": may_delete_own_account(request.user)})


@login_required
def my_data(request):
    """Her own data as JSON: profile, enrolments, certificates."""
    import json

    from django.core.serializers.json import DjangoJSONEncoder
    from django.http import HttpResponse

    from accounts.privacy import export_filename, personal_data_export

    payload = json.dumps(personal_data_export(user=request.user), cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
    response = HttpResponse(payload, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export_filename()}"'
    return response


@login_required
def account_delete(request):
    from django.core.exceptions import PermissionDenied

    from accounts.forms import AccountDeleteForm
    from accounts.privacy import account_delete as delete_account
    from accounts.privacy import may_delete_own_account

    if not may_delete_own_account(request.user):
        raise PermissionDenied
    form = AccountDeleteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        delete_account(user=request.user)
        from django.contrib.auth import logout

        logout(request)
        messages.success(request, _("Your account was deleted. Your certificates can still be verified."))
        return redirect("/")
    return render(request, "accounts/delete_account.html", {"form": form})


# Her first second factor, set up where the staff rule sent her (accounts/middleware.py): allauth's views,
# which forget the page she was going to (`next`, kept only when it is an address of this site). After the
# new codes are shown, a link takes her on to it.
class TotpActivateView(ActivateTOTPView):
    def get_context_data(self, **kwargs):
        going_to = get_next_redirect_url(self.request)
        action = reverse("mfa_activate_totp") + (f"?{urlencode({'next': going_to})}" if going_to else "")
        return {**super().get_context_data(**kwargs), "action_url": action}

    def get_success_url(self):
        going_to = get_next_redirect_url(self.request)
        if going_to is None:
            return super().get_success_url()
        if self.did_generate_recovery_codes:
            return f"{reverse('mfa_view_recovery_codes')}?{urlencode({'next': going_to})}"
        return going_to


class RecoveryCodesView(ViewRecoveryCodesView):
    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "going_to": get_next_redirect_url(self.request)}


totp_activate = TotpActivateView.as_view()
recovery_codes_view = RecoveryCodesView.as_view()
