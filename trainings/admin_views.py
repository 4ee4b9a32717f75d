"""The Wagtail admin's trainings screens, saving through the same services as the pages.

The admin is a second door: every create, edit and delete here calls the service that carries the rule
(seats, waitlist order, reporting locks, calendars, emails) instead of saving the form's instance. A
refusal comes back as the form's error, in the coordinator's language, and nothing is saved.
"""

from django.contrib import messages
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import TemplateView
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import MenuItem
from wagtail.log_actions import log

from core.admin_listings import RelatedListingLinks, shortlist_filter
from core.forms import id_from
from trainings import imports, services
from trainings.enums import EditionStatus, EnrollmentStatus
from trainings.forms import ImportConfirmForm, TraineeImportForm
from trainings.models import Edition, Enrollment, TrainingSession


def _form_add_error(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class EditionFromAddressMixin:
    """An add form opened from an edition's row (`?edition=`) starts with that edition chosen."""

    def get_initial(self):
        initial = super().get_initial()
        edition = id_from(self.request.GET.get("edition"))
        if edition is not None:
            initial["edition"] = edition
        return initial


class ServiceSaveMixin:
    """Create and edit views: `save_instance` calls a service; its refusal is shown on the form."""

    log_action = "wagtail.edit"

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            _form_add_error(form, error)
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)

    def save_instance(self):
        instance = self.save_through_service(self.form)
        log(instance=instance, action=self.log_action, user=self.request.user)
        return instance

    def save_through_service(self, form):
        raise NotImplementedError


class ServiceDeleteMixin:
    """Delete views: the service decides; a refusal goes back to the edit screen with the reason."""

    def delete_action(self):
        log(instance=self.object, action="wagtail.delete", user=self.request.user, deleted=True)
        self.delete_through_service(self.object)

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            for message in error.messages:
                messages.error(self.request, message)
            return redirect(reverse(self.edit_url_name, args=[quote(self.object.pk)]))

    def delete_through_service(self, instance):
        raise NotImplementedError


# Editions --------------------------------------------------------------------------------------------------


class EditionIndexView(RelatedListingLinks, generic.IndexView):
    related_param = "edition"
    related_listings = ((TrainingSession, "training_sessions", "date"), (Enrollment, "enrolments", "user"))

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("programme")

    @cached_property
    def _may_import(self):
        return self.request.user.has_perm("trainings.import_trainees")

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if self._may_import and instance.status not in (EditionStatus.CLOSED, EditionStatus.CANCELLED):
            buttons.append(
                MenuItem(
                    _("Import trainees"),
                    url=reverse("trainings_admin:import_trainees", args=[instance.pk]),
                    icon_name="upload",
                    priority=42,
                )
            )
        return buttons


class EditionCreateView(ServiceSaveMixin, generic.CreateView):
    log_action = "wagtail.create"

    def save_through_service(self, form):
        values = {name: value for name, value in form.cleaned_data.items() if name != "trainers"}
        return services.edition_create(
            values=values, trainers=form.cleaned_data.get("trainers", []), by=self.request.user
        )


class EditionEditView(ServiceSaveMixin, generic.EditView):
    def save_through_service(self, form):
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data}
        return services.edition_update(edition=self.object, changes=changes, by=self.request.user)


class EditionDeleteView(ServiceDeleteMixin, generic.DeleteView):
    def delete_through_service(self, instance):
        services.edition_delete(edition=instance, by=self.request.user)


# Sessions --------------------------------------------------------------------------------------------------


class EditionChoiceFilterSet(WagtailFilterSet):
    edition = shortlist_filter(
        Edition,
        name="edition",
        start="start_date",
        end="end_date",
        label=gettext_lazy("Edition"),
        help_text=gettext_lazy(
            "Running, upcoming and recently ended editions. For an older one, open it from the editions listing."
        ),
        fields=("pk", "programme__title", "start_date"),
        named=lambda pk, title, start: (pk, Edition.name_from(programme=title, start_date=start)),
    )


class TrainingSessionFilterSet(EditionChoiceFilterSet):
    class Meta:
        model = TrainingSession
        fields = ["edition", "cancelled"]


class TrainingSessionIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("edition__programme")


class TrainingSessionCreateView(EditionFromAddressMixin, ServiceSaveMixin, generic.CreateView):
    log_action = "wagtail.create"

    def save_through_service(self, form):
        data = form.cleaned_data
        return services.training_session_add(
            edition=data["edition"], start=data["start"], end=data["end"], title=data["title"], by=self.request.user
        )


class TrainingSessionEditView(ServiceSaveMixin, generic.EditView):
    def save_through_service(self, form):
        data = form.cleaned_data
        return services.training_session_change(
            session=self.object,
            start=data["start"],
            end=data["end"],
            title=data["title"],
            cancelled=data["cancelled"],
            by=self.request.user,
        )


class TrainingSessionDeleteView(ServiceDeleteMixin, generic.DeleteView):
    def delete_through_service(self, instance):
        services.training_session_delete(session=instance, by=self.request.user)


# Enrolments ------------------------------------------------------------------------------------------------


class EnrollmentFilterSet(EditionChoiceFilterSet):
    class Meta:
        model = Enrollment
        fields = ["edition", "status"]


class EnrollmentIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("user", "edition__programme")


class EnrollmentCreateView(EditionFromAddressMixin, ServiceSaveMixin, generic.CreateView):
    """Enrol someone on her behalf: seats and waitlist as for anyone, and she is told by email."""

    log_action = "wagtail.create"

    def save_through_service(self, form):
        return services.enrollment_on_behalf(
            edition=form.cleaned_data["edition"], person=form.person(), by=self.request.user
        )

    def get_success_message(self, instance):
        if instance.status == EnrollmentStatus.WAITLISTED:
            return _("The edition is full: %(person)s is on its waitlist and was told so by email.") % {
                "person": instance.user.email
            }
        return _("%(person)s is enrolled and was told so by email.") % {"person": instance.user.email}


class EnrollmentEditView(ServiceSaveMixin, generic.EditView):
    """Status changes only as its workflow allows: approving, not approving, cancelling, confirming a seat."""

    def save_through_service(self, form):
        return services.enrollment_status_change(
            enrollment=self.object,
            status=form.cleaned_data["status"],
            reason=form.cleaned_data.get("reason", ""),
            by=self.request.user,
        )


class EnrollmentDeleteView(ServiceDeleteMixin, generic.DeleteView):
    def delete_through_service(self, instance):
        services.enrollment_delete(enrollment=instance, by=self.request.user)


# Importing trainees ----------------------------------------------------------------------------------------


class TraineeImportView(WagtailAdminTemplateMixin, TemplateView):
    """Upload a list, see what would happen to every row, then confirm: nothing is saved before that."""

    template_name = "trainings/admin/import_trainees.html"
    page_title = gettext_lazy("Import trainees")
    header_icon = "upload"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("trainings.import_trainees"):
            raise PermissionDenied
        self.edition = get_object_or_404(Edition.objects.select_related("programme"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return str(self.edition)

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(upload_form=TraineeImportForm()))

    def post(self, request, *args, **kwargs):
        if "preview" in request.POST:
            return self._confirm(ImportConfirmForm(request.POST))
        upload_form = TraineeImportForm(request.POST, request.FILES)
        if not upload_form.is_valid():
            return self.render_to_response(self.get_context_data(upload_form=upload_form))
        preview = imports.import_preview(edition=self.edition, people=upload_form.people)
        return self._preview_response(preview, upload_form)

    def _preview_response(self, preview, upload_form=None):
        confirm_form = None
        if preview.ok:
            token = imports.preview_token(edition=self.edition, people=preview.people())
            confirm_form = ImportConfirmForm(initial={"preview": token})
        return self.render_to_response(
            self.get_context_data(
                upload_form=upload_form or TraineeImportForm(), preview=preview, confirm_form=confirm_form
            )
        )

    def _confirm(self, confirm_form):
        try:
            if not confirm_form.is_valid():
                raise ValidationError(_("This preview is not valid: upload the file again."))
            people = imports.preview_token_read(edition=self.edition, token=confirm_form.cleaned_data["preview"])
            # Checked again: someone may have enrolled meanwhile.
            preview = imports.import_preview(edition=self.edition, people=people)
            if not preview.ok:
                messages.error(self.request, _("The list no longer imports cleanly: see the rows below."))
                return self._preview_response(preview)
            enrollments = services.trainees_import(edition=self.edition, people=preview.people(), by=self.request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(self.request, message)
            return self.render_to_response(self.get_context_data(upload_form=TraineeImportForm()))
        waitlisted = sum(1 for e in enrollments if e.status == EnrollmentStatus.WAITLISTED)
        messages.success(
            self.request,
            ngettext(
                "%(count)d trainee was imported: %(seats)d enrolled, %(waitlist)d on the waitlist. "
                "She was told by email.",
                "%(count)d trainees were imported: %(seats)d enrolled, %(waitlist)d on the waitlist. "
                "Each was told by email.",
                len(enrollments),
            )
            % {"count": len(enrollments), "seats": len(enrollments) - waitlisted, "waitlist": waitlisted},
        )
        return redirect(reverse("enrolments:index") + f"?edition={self.edition.pk}")

    def get_context_data(self, **kwargs):
        return super().get_context_data(edition=self.edition, **kwargs)
