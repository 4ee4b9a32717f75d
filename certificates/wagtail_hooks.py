from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.model import ModelViewSet

from certificates.models import Accreditation


class AccreditationViewSet(ModelViewSet):
    model = Accreditation
    icon = "tick-inverse"
    menu_label = _("Accreditations")
    add_to_admin_menu = True
    menu_order = 320
    list_display = ["body", "decision_number", "valid_from", "valid_until", "points", "hours"]
    list_filter = ["body"]
    list_export = ["body", "decision_number", "decision_date", "valid_from", "valid_until", "points", "hours"]
    search_fields = ["body", "decision_number"]
    search_backend_name = None  # plain database filtering: accreditations are few


@hooks.register("register_admin_viewset")
def register_accreditation_viewset():
    return AccreditationViewSet("accreditations")


@hooks.register("register_admin_menu_item")
def register_certificates_menu_item():
    # Issuing, revoking and reissuing work on the plain coordinator pages (usable without the admin's JS).
    return MenuItem(_("Certificates"), reverse("certificates:coordinator_list"), icon_name="doc-full", order=321)
