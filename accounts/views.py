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
    return render(request, "accounts/profile.html", {"form": form})
