"""Coordinator screens in the Wagtail admin.

Accreditations are created, changed and deleted through `certificates.services`, like everywhere else.
Certificates are read-only here: issuing, revoking and replacing are the coordinator pages' (they call the
services, which log the reason); the admin lists and shows them and links to those pages.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views import generic

from certificates import services
from certificates.models import Accreditation, Certificate
from core.admin_cells import ModelViewSet


class _ServiceFormMixin:
    """Save through a service; a refusal becomes the form's error and nothing is saved."""

    def form_valid(self, form):
        self.form = form
        try:
            with transaction.atomic():
                self.object = self.save_instance()
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error)
            self.produced_error_message = " ".join(error.messages)
            return self.form_invalid(form)
        response = self.save_action()
        hook_response = self.run_after_hook()
        return hook_response if hook_response is not None else response

    def save_instance(self):
        return services.accreditation_save(
            accreditation=self.form.instance,
            programmes=self.form.cleaned_data.get("programmes"),
            by=self.request.user,
        )


class AccreditationCreateView(_ServiceFormMixin, generic.CreateView):
    pass


class AccreditationEditView(_ServiceFormMixin, generic.EditView):
    pass


class AccreditationDeleteView(generic.DeleteView):
    def form_valid(self, form):
        try:
            services.accreditation_delete(accreditation=self.object, by=self.request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(self.request, message)
            return redirect(self.get_success_url())
        messages.success(self.request, self.get_success_message())
        return redirect(self.get_success_url())


class AccreditationViewSet(ModelViewSet):
    model = Accreditation
    icon = "tick-inverse"
    menu_label = _("Accreditations")
    add_to_admin_menu = True
    menu_order = 320
    add_view_class = AccreditationCreateView
    edit_view_class = AccreditationEditView
    delete_view_class = AccreditationDeleteView
    copy_view_enabled = False
    list_display = ["body", "decision_number", "valid_from", "valid_until", "points", "hours"]
    list_filter = ["body"]
    list_export = ["body", "decision_number", "decision_date", "valid_from", "valid_until", "points", "hours"]
    search_fields = ["body", "decision_number"]
    search_backend_name = None  # plain database filtering: accreditations are few


class CertificateIndexView(generic.IndexView):
    def get_base_queryset(self):
        # Every column is a frozen field of the row itself: no query per certificate.
        return super().get_base_queryset().only("pk", "serial", "holder_name", "programme_title", "issued_on", "status")


class CertificateInspectView(generic.InspectView):
    def get_fields(self):
        return [
            "serial",
            "holder_name",
            "holder_job_title",
            "holder_organisation",
            "programme_title",
            "edition_start",
            "edition_end",
            "hours",
            "accreditation_body",
            "accreditation_number",
            "accreditation_points",
            "issued_on",
            "expires_on",
            "status",
            "revoked_reason",
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["header_more_buttons"] = []
        return context


class CertificateViewSet(ModelViewSet):
    """Search, filter and inspect only: no add, edit, copy or delete screen (a certificate is frozen)."""

    model = Certificate
    icon = "doc-full"
    menu_label = _("Issued certificates")
    add_to_admin_menu = True
    menu_order = 322
    index_view_class = CertificateIndexView
    inspect_view_class = CertificateInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = ["serial", "holder_name", "programme_title", "issued_on", "status"]
    list_filter = {"status": ["exact"], "issued_on": ["gte", "lte"]}
    search_fields = ["serial", "holder_name", "programme_title"]
    search_backend_name = None
    list_per_page = 50

    def get_common_view_kwargs(self, **kwargs):
        view_kwargs = super().get_common_view_kwargs(**kwargs)
        for name in ("add_url_name", "edit_url_name", "delete_url_name", "history_url_name", "usage_url_name"):
            view_kwargs[name] = None
        return view_kwargs

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
        ]


@hooks.register("register_admin_viewset")
def register_accreditation_viewset():
    return AccreditationViewSet("accreditations")


@hooks.register("register_admin_viewset")
def register_certificate_viewset():
    return CertificateViewSet("issued_certificates")


@hooks.register("register_admin_menu_item")
def register_certificates_menu_item():
    # Issuing, revoking and reissuing work on the plain coordinator pages (usable without the admin's JS).
    return MenuItem(_("Certificates"), reverse("certificates:coordinator_list"), icon_name="doc-full", order=321)
