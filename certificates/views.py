from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from certificates import selectors, services
from certificates.enums import VerificationState
from certificates.exports import certificate_pdf, register_xlsx_response
from certificates.forms import RegisterExportForm, ReissueForm, RevokeForm, SearchForm, SerialForm
from certificates.models import CertificateSettings
from certificates.ratelimit import client_ip, rate_limit_hit
from core import dates

VERIFY_LIMIT_PER_MINUTE = 30


def verification_url(request, certificate) -> str:
    # The QR URL must not depend on the language the trainee happened to browse in.
    with translation.override(settings.LANGUAGE_CODE):
        path = reverse("certificates:verify", kwargs={"code": certificate.verification_code})
    return request.build_absolute_uri(path)


def _coordinator_required(request):
    if not request.user.has_perm("certificates.manage_certificate"):
        raise PermissionDenied


# Public verification -------------------------------------------------------------------------------------


def _verification_payload(certificate, state) -> dict:
    """Exactly what the certificate prints, so a doctored PDF shows up, and nothing more."""
    return {
        "status": state,
        "serial": certificate.serial,
        "holder_name": certificate.holder_name,
        "programme": certificate.programme_title,
        "first_day": certificate.edition_start.isoformat(),
        "last_day": certificate.edition_end.isoformat(),
        "hours": str(certificate.hours) if certificate.hours is not None else None,
        "points": str(certificate.accreditation_points) if certificate.accreditation_points is not None else None,
        "accrediting_body": certificate.accreditation_body or None,
        "accreditation_number": certificate.accreditation_number or None,
        "issued_on": certificate.issued_on.isoformat(),
        "expires_on": certificate.expires_on.isoformat() if certificate.expires_on else None,
    }


def _limited(request, *, as_json):
    if not rate_limit_hit(scope="verify", key=client_ip(request), limit=VERIFY_LIMIT_PER_MINUTE):
        return None
    message = _("Too many verification requests. Please wait a minute and try again.")
    if as_json:
        response = JsonResponse({"error": "rate_limited", "message": message}, status=429)
    else:
        response = render(request, "certificates/rate_limited.html", {"message": message}, status=429)
    response["Retry-After"] = "60"
    return response


def _not_found(request, *, as_json):
    if as_json:
        return JsonResponse({"status": "not_found"}, status=404)
    return render(request, "certificates/not_found.html", status=404)


def _verification_response(request, certificate, *, as_json):
    state = certificate.verification_state()
    if as_json:
        response = JsonResponse(_verification_payload(certificate, state))
    else:
        response = render(
            request,
            "certificates/verify.html",
            {"certificate": certificate, "state": state, "state_label": VerificationState(state).label},
        )
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex"
    return response


def verify(request, code, as_json=False):
    as_json = as_json or request.GET.get("format") == "json"
    limited = _limited(request, as_json=as_json)
    if limited:
        return limited
    certificate = selectors.certificate_by_code(code=code)
    if certificate is None:
        return _not_found(request, as_json=as_json)
    return _verification_response(request, certificate, as_json=as_json)


def verify_json(request, code):
    return verify(request, code, as_json=True)


def verify_serial(request):
    form = SerialForm(request.GET or None)
    if not form.is_bound:
        return render(request, "certificates/verify_serial.html", {"form": form})
    as_json = request.GET.get("format") == "json"
    limited = _limited(request, as_json=as_json)
    if limited:
        return limited
    if not form.is_valid():
        return render(request, "certificates/verify_serial.html", {"form": form}, status=400)
    certificate = selectors.certificate_by_serial(serial=form.cleaned_data["serial"])
    if certificate is None:
        return _not_found(request, as_json=as_json)
    return _verification_response(request, certificate, as_json=as_json)


# Register ------------------------------------------------------------------------------------------------


def register(request):
    return render(
        request,
        "certificates/register.html",
        {"accreditations": selectors.accreditations_register(), "today": dates.today()},
    )


@login_required
def register_xlsx(request):
    if not request.user.has_perm("certificates.export_register"):
        raise PermissionDenied
    form = RegisterExportForm(request.GET or None)
    if form.is_bound and form.is_valid():
        accreditation = form.cleaned_data["accreditation"]
        rows = selectors.register_rows(
            accreditation=accreditation,
            date_from=form.cleaned_data["date_from"],
            date_to=form.cleaned_data["date_to"],
        )
        filename = f"register-{accreditation.pk}-{dates.today():%Y%m%d}.xlsx"
        return register_xlsx_response(accreditation=accreditation, rows=rows, filename=filename)
    return render(request, "certificates/register_export.html", {"form": form}, status=400 if form.is_bound else 200)


# Trainee -------------------------------------------------------------------------------------------------


@login_required
def my_certificates(request):
    certificates = selectors.certificates_for(request.user).filter(holder=request.user)
    return render(request, "certificates/my_certificates.html", {"certificates": certificates})


@never_cache
@login_required
def download(request, pk):
    certificate = get_object_or_404(selectors.certificates_for(request.user), pk=pk)
    if not request.user.has_perm("certificates.download_certificate", certificate):
        response = render(request, "certificates/download_refused.html", {"certificate": certificate}, status=403)
        add_never_cache_headers(response)
        return response
    pdf = certificate_pdf(
        certificate=certificate,
        verification_url=verification_url(request, certificate),
        certificate_settings=CertificateSettings.for_request(request),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{certificate.serial}.pdf"'
    return response


# Coordinator ---------------------------------------------------------------------------------------------


@login_required
def coordinator_list(request):
    _coordinator_required(request)
    search = SearchForm(request.GET)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    page = Paginator(selectors.certificates_coordinator_list(query=query), 50).get_page(request.GET.get("page"))
    awaiting = list(selectors.enrollments_awaiting_certificate()[:100])
    return render(
        request,
        "certificates/coordinator_list.html",
        {"page_obj": page, "certificates": page.object_list, "query": query, "awaiting": awaiting},
    )


@login_required
def certificate_detail(request, pk):
    _coordinator_required(request)
    certificate = get_object_or_404(selectors.certificates_for(request.user).select_related("replaces"), pk=pk)
    return render(
        request,
        "certificates/detail.html",
        {
            "certificate": certificate,
            "state_label": VerificationState(certificate.verification_state()).label,
            "revoke_form": RevokeForm(),
            "reissue_form": ReissueForm(initial={"holder_name": services.holder_name_for(certificate.holder)}),
        },
    )


def _form_error_redirect(request, error, pk):
    for message in error.messages:
        messages.error(request, message)
    return redirect("certificates:detail", pk=pk)


@require_POST
@login_required
def issue(request, enrollment_id):
    _coordinator_required(request)
    enrollment = get_object_or_404(selectors.enrollments_awaiting_certificate(), pk=enrollment_id)
    try:
        certificate = services.certificate_issue(enrollment=enrollment, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("certificates:coordinator_list")
    messages.success(request, _("Certificate %(serial)s was issued.") % {"serial": certificate.serial})
    return redirect("certificates:detail", pk=certificate.pk)


@require_POST
@login_required
def revoke(request, pk):
    _coordinator_required(request)
    certificate = get_object_or_404(selectors.certificates_for(request.user), pk=pk)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        return _form_error_redirect(request, ValidationError(_("Give the reason for revoking the certificate.")), pk)
    try:
        services.certificate_revoke(certificate=certificate, reason=form.cleaned_data["reason"], by=request.user)
    except ValidationError as error:
        return _form_error_redirect(request, error, pk)
    messages.success(request, _("The certificate was revoked."))
    return redirect("certificates:detail", pk=pk)


@require_POST
@login_required
def reissue(request, pk):
    _coordinator_required(request)
    certificate = get_object_or_404(selectors.certificates_for(request.user), pk=pk)
    form = ReissueForm(request.POST)
    if not form.is_valid():
        return _form_error_redirect(request, ValidationError(_("Enter the name as it should print.")), pk)
    try:
        new = services.certificate_reissue(
            certificate=certificate, holder_name=form.cleaned_data["holder_name"], by=request.user
        )
    except ValidationError as error:
        return _form_error_redirect(request, error, pk)
    messages.success(request, _("Certificate %(serial)s replaces the old one.") % {"serial": new.serial})
    return redirect("certificates:detail", pk=new.pk)
