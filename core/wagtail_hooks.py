"""Coordinator screens in the Wagtail admin for the shared lists: the municipalities the organisation works in.

Coordinators get every model permission of this package after migrate (accounts.roles), which is what this
viewset checks. A municipality recorded for a member or a client cannot be deleted (the database protects
it); it can be renamed. Which women live where is never listed here: the municipality has no "usage" page
of its records (core.models.Municipality stays out of Wagtail's reference index).
"""

from django.contrib import messages
from django.db.models import ProtectedError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.views import generic

from core.admin_cells import ModelViewSet
from core.models import Municipality


class MunicipalityDeleteView(generic.DeleteView):
    """Deleting one still recorded for someone is refused with a message, and nothing is deleted."""

    def get_usage_url(self):
        # The reference index leaves survivors' records out, so its count would always say "not used".
        return None

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ProtectedError:
            messages.error(
                self.request,
                _(
                    "“%(municipality)s” is recorded for some members or clients, so it cannot be deleted. "
                    "Rename it instead, or change their records first."
                )
                % {"municipality": self.object},
            )
            return redirect(self.edit_url_name, self.object.pk)


class MunicipalityViewSet(ModelViewSet):
    model = Municipality
    icon = "site"
    menu_label = gettext_lazy("Municipalities")
    add_to_settings_menu = True
    delete_view_class = MunicipalityDeleteView
    form_fields = ["name"]
    list_display = ["name"]
    search_fields = ["name"]
    search_backend_name = None  # plain database filtering: a short list
    copy_view_enabled = False


@hooks.register("register_admin_viewset")
def register_core_viewsets():
    return MunicipalityViewSet("municipalities")
