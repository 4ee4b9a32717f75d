from accounts.dashboard import Panel


def my_certificates_panel(request):
    """The trainee's certificates with download links; one query, nothing shown when she has none."""
    from certificates.models import Certificate

    if not request.user.is_authenticated:
        return None
    certificates = list(Certificate.objects.filter(holder=request.user).order_by("-issued_on", "-number")[:10])
    if not certificates:
        return None
    return Panel("certificates/panel.html", {"certificates": certificates})
