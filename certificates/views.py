import datetime as dt
import json
from functools import cache, partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.backends.utils import csrf_input
from django.utils.cache import add_never_cache_headers
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from certificates import openbadges, selectors, services
from certificates.enums import CertificateStatus, VerificationState
from certificates.exports import certificate_pdf, register_xlsx_response, trainee_record_pdf
from certificates.forms import (
    CredentialCheckForm,
    RegisterExportForm,
    ReissueForm,
    RevokeForm,
    SearchForm,
    VerifyForm,
)
from certificates.models import Certificate
from certificates.ratelimit import client_ip, rate_limit_hit
from core import dates
from core.choices import choice_labels
from core.html import translated_html
from core.paging import query_without_page
from core.reversing import UrlFiller

VERIFY_LIMIT_PER_MINUTE = 30
JSON_LD = "application/ld+json"


def verification_url(certificate) -> str:
    """The URL in the QR code: the credential's id, under the site's URL in the default language."""
    return openbadges.credential_id(certificate)


def _coordinator_required(request):
    if not request.user.has_perm("certificates.manage_certificate"):
        raise PermissionDenied


# Public verification -------------------------------------------------------------------------------------


def _date(value):
    return value.isoformat() if value else None


def _decimal(value):
    return str(value) if value is not None else None


def verification_payload(certificate, state) -> dict:
    """Exactly what the certificate prints, so a doctored PDF shows up, and nothing more.

    A revoked or replaced certificate names nobody: the name may be one its holder has left behind.
    """
    issuer = certificate.issuer
    shows_holder = certificate.shows_holder
    return {
        "status": state,
        "serial": certificate.serial,
        "holder_name": certificate.holder_name if shows_holder else None,
        "holder_organisation": (certificate.holder_organisation or None) if shows_holder else None,
        "holder_job_title": (certificate.holder_job_title or None) if shows_holder else None,
        "programme": certificate.programme_title,
        "first_day": _date(certificate.edition_start),
        "last_day": _date(certificate.edition_end),
        "hours_attended": _decimal(certificate.hours),
        "points": _decimal(certificate.accreditation_points),
        "accrediting_body": certificate.accreditation_body or None,
        "accreditation_number": certificate.accreditation_number or None,
        "accreditation_valid_from": _date(certificate.accreditation_valid_from),
        "accreditation_valid_until": _date(certificate.accreditation_valid_until),
        "issuer": (issuer.organisation_name or None) if issuer else None,
        "signatories": [{"name": name, "title": title} for name, title in issuer.signatories] if issuer else [],
        "issued_on": _date(certificate.issued_on),
        "expires_on": _date(certificate.expires_on),
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


def _private(response):
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex"
    return response


def _not_found(request, *, as_json):
    if as_json:
        return _private(JsonResponse({"status": "not_found"}, status=404))
    return _private(render(request, "certificates/not_found.html", status=404))


def verify(request, code, as_json=False):
    as_json = as_json or request.GET.get("format") == "json"
    limited = _limited(request, as_json=as_json)
    if limited:
        return limited
    certificate = selectors.certificate_by_code(code=code)
    if certificate is None:
        return _not_found(request, as_json=as_json)
    state = certificate.verification_state()
    if as_json:
        return _private(JsonResponse(verification_payload(certificate, state)))
    context = {"certificate": certificate, "state": state, "state_label": VerificationState(state).label}
    return _private(render(request, "certificates/verify.html", context))


def verify_json(request, code):
    return verify(request, code, as_json=True)


def verify_lookup(request):
    """Verify by the code printed on the certificate; a serial alone says only whether it exists."""
    form = VerifyForm(request.GET or None)
    if not form.is_bound:
        return _private(render(request, "certificates/verify_lookup.html", {"form": form}))
    limited = _limited(request, as_json=False)
    if limited:
        return limited
    if not form.is_valid():
        return _private(render(request, "certificates/verify_lookup.html", {"form": form}, status=400))
    code, serial = form.cleaned_data["code"], form.cleaned_data["serial"]
    if code:
        certificate = selectors.certificate_by_code(code=code)
        if certificate is None or (serial and certificate.serial.lower() != serial.strip().lower()):
            return _not_found(request, as_json=False)
        return redirect("certificates:verify", code=certificate.verification_code)
    exists = selectors.certificate_serial_exists(serial=serial)
    context = {"form": VerifyForm(initial={"serial": serial}), "serial": serial, "exists": exists}
    return _private(render(request, "certificates/verify_lookup.html", context, status=200 if exists else 404))


def verify_credential(request):
    """Someone hands us a credential (pasted or uploaded): does its signature hold, what does the list say."""
    form = CredentialCheckForm(request.POST or None, request.FILES or None)
    check = None
    if request.method == "POST":
        limited = _limited(request, as_json=False)
        if limited:
            return limited
        if form.is_valid():
            check = openbadges.credential_check(form.cleaned_data["text"], status_bit=services.status_bit)
    context = {"form": form, "check": check, "summary": _credential_summary(check)}
    status = 400 if form.is_bound and not form.is_valid() else 200
    return _private(render(request, "certificates/verify_credential.html", context, status=status))


def _credential_summary(check) -> dict:
    """The few fields of a checked credential worth showing; a name only when all checks hold."""
    if check is None or not check.signature_valid:
        return {}
    credential = check.credential
    subject = credential.get("credentialSubject") or {}
    names = [
        item.get("identityHash")
        for item in subject.get("identifier") or []
        if isinstance(item, dict) and item.get("identityType") == "name" and not item.get("hashed")
    ]
    return {
        "programme": credential.get("name"),
        "holder": names[0] if names and check.valid else None,
        "valid_from": _iso_date(credential.get("validFrom")),
        # validUntil is the first moment after the last valid day (openbadges: end_of_day): that day is shown.
        "valid_until": _iso_date(credential.get("validUntil"), exclusive=True),
    }


def _iso_date(value, *, exclusive=False):
    try:
        moment = dt.datetime.fromisoformat(value) if value else None
        if moment is not None and exclusive:
            moment -= dt.timedelta(microseconds=1)
        return dates.local_date(moment) if moment is not None else None
    except (TypeError, ValueError):
        return None


def issuer_profile(request):
    response = HttpResponse(json.dumps(openbadges.issuer_profile_document(), ensure_ascii=False), content_type=JSON_LD)
    response["Access-Control-Allow-Origin"] = "*"
    return response


def status_list(request, number):
    if not selectors.status_list_exists(list_number=number):
        raise Http404
    response = HttpResponse(services.status_list_document(list_number=number), content_type=JSON_LD)
    response["Access-Control-Allow-Origin"] = "*"
    # Verifiers may cache it briefly; a revocation shows within five minutes.
    response["Cache-Control"] = "public, max-age=300"
    return response


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
    return render(request, "certificates/my_certificates.html", {"certificates": certificates, "today": dates.today()})


def _downloadable(request, pk):
    certificate = get_object_or_404(selectors.certificates_for(request.user).select_related("issuer"), pk=pk)
    if not request.user.has_perm("certificates.download_certificate", certificate):
        response = render(request, "certificates/download_refused.html", {"certificate": certificate}, status=403)
        add_never_cache_headers(response)
        return certificate, response
    return certificate, None


@never_cache
@login_required
def download(request, pk):
    certificate, refused = _downloadable(request, pk)
    if refused:
        return refused
    pdf = certificate_pdf(certificate=certificate, verification_url=verification_url(certificate))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{certificate.serial}.pdf"'
    return response


@never_cache
@login_required
def credential_download(request, pk):
    """Her Open Badges credential, signed at issue, for a wallet or to hand to an employer."""
    certificate, refused = _downloadable(request, pk)
    if refused:
        return refused
    if not certificate.credential:
        certificate = services.certificate_credential_ensure(certificate=certificate)
    response = HttpResponse(certificate.credential, content_type=JSON_LD)
    response["Content-Disposition"] = f'attachment; filename="{certificate.serial}.credential.json"'
    return response


@login_required
def record(request):
    return render(
        request,
        "certificates/record.html",
        {"record": selectors.trainee_record(user=request.user), "today": dates.today()},
    )


@never_cache
@login_required
def record_pdf(request):
    profile = getattr(request.user, "profile", None)
    name = services.holder_name_for(request.user)
    pdf = trainee_record_pdf(
        record=selectors.trainee_record(user=request.user),
        holder_name=name,
        organisation=getattr(profile, "organisation", ""),
        today=dates.today(),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="training-record.pdf"'
    return response


# Coordinator ---------------------------------------------------------------------------------------------


@login_required
def coordinator_list(request):
    _coordinator_required(request)
    search = SearchForm(request.GET)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    page = Paginator(selectors.certificates_coordinator_list(query=query), 50).get_page(request.GET.get("page"))
    awaiting = selectors.enrollments_awaiting_certificate_page(page=request.GET.get("awaiting_page"))
    return render(
        request,
        "certificates/coordinator_list.html",
        {
            "page_obj": page,
            "certificates": page.object_list,
            "certificate_rows": _certificate_rows(page.object_list),
            "awaiting_rows": _awaiting_rows(request, awaiting.object_list),
            "search": query,
            # Each list's page links keep the search and the other list's page.
            "query": query_without_page(request),
            "awaiting": awaiting,
            "awaiting_query": query_without_page(request, "awaiting_page"),
        },
    )


# The two lists' rows written here: a link, a date and a status for each of fifty certificates, and a
# form for each of twenty-five enrolments, were half of the page through the template.


def _certificate_rows(certificates) -> list[str]:
    urls, day = UrlFiller(), cache(partial(date_format, format="SHORT_DATE_FORMAT"))  # each date formatted once
    statuses = choice_labels(CertificateStatus.choices)
    replaced = _("by %(serial)s")
    rows = []
    for certificate in certificates:
        by = certificate.replaced_by
        rows.append(
            format_html(
                '<tr><th scope="row"><a href="{}">{}</a></th><td>{}</td><td>{}</td><td>{}</td><td>{}{}</td></tr>',
                urls("certificates:detail", pk=certificate.pk),
                certificate.serial,
                certificate.holder_name,
                certificate.programme_title,
                day(certificate.issued_on),
                statuses.get(certificate.status, certificate.status),
                format_html(" ({})", translated_html(replaced, serial=by.serial)) if by else "",
            )
        )
    return rows


def _awaiting_rows(request, enrollments) -> list[str]:
    urls, csrf_field, issue = UrlFiller(), csrf_input(request), _("Issue certificate")
    rows = []
    for enrollment in enrollments:
        user, edition = enrollment.user, enrollment.edition
        profile = getattr(user, "profile", None)
        rows.append(
            format_html(
                '<tr><th scope="row">{}</th><td>{} ({})</td><td><form method="post" action="{}">{}'
                '<button type="submit" class="button-small">{}</button></form></td></tr>',
                (profile.full_name if profile else "") or user.email,
                edition.programme.title,
                date_format(edition.start_date, "SHORT_DATE_FORMAT"),
                urls("certificates:issue", enrollment_id=enrollment.pk),
                csrf_field,
                issue,
            )
        )
    return rows


@login_required
def certificate_detail(request, pk):
    _coordinator_required(request)
    certificate = get_object_or_404(
        selectors.certificates_for(request.user).select_related("replaces", "issuer"), pk=pk
    )
    return render(
        request,
        "certificates/detail.html",
        {
            "certificate": certificate,
            "events": certificate.events.select_related("by__profile"),
            "state_label": VerificationState(certificate.verification_state()).label,
            # Both forms have a "reason": distinct ids keep each label with its own field.
            "revoke_form": RevokeForm(auto_id="revoke_%s"),
            "reissue_form": ReissueForm(
                auto_id="reissue_%s", initial={"holder_name": services.holder_name_for(certificate.holder)}
            ),
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
        return _form_error_redirect(
            request, ValidationError(_("Enter the name as it should print and the reason for the new certificate.")), pk
        )
    try:
        new = services.certificate_reissue(
            certificate=certificate,
            holder_name=form.cleaned_data["holder_name"],
            reason=form.cleaned_data["reason"],
            by=request.user,
        )
    except ValidationError as error:
        return _form_error_redirect(request, error, pk)
    messages.success(request, _("Certificate %(serial)s replaces the old one.") % {"serial": new.serial})
    return redirect("certificates:detail", pk=new.pk)


# Wagtail admin: the certificate settings' preview ----------------------------------------------------------


def certificate_settings_preview(request, *, certificate_settings):
    """A sample certificate as it would print with the settings in the form (saved or not)."""
    if not request.user.has_perm("certificates.manage_certificate"):
        raise PermissionDenied
    issuer = services.issuer_from_settings(certificate_settings, with_images=True)
    today = dates.today()
    sample = Certificate(
        issuer=issuer,
        serial=_("SAMPLE"),
        verification_code="0" * 20,
        holder_name="Dušica Živković-Ærø",
        holder_organisation=_("Centre for Social Work"),
        holder_job_title=_("Social worker"),
        programme_title=_("Sample training programme"),
        edition_start=today,
        edition_end=today,
        issued_on=today,
    )
    pdf = certificate_pdf(certificate=sample, verification_url=openbadges.site_url("/verify/"))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="preview.pdf"'
    return response
