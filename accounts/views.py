from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
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
