"""Coordinator screens in the Wagtail admin: programmes, editions (with their sessions) and enrolments."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from trainings.models import Edition, Enrollment, TrainingProgramme


class ProgrammeViewSet(ModelViewSet):
    model = TrainingProgramme
    icon = "doc-full"
    menu_label = _("Programmes")
    list_display = ["title", "hours", "completion_rule"]
    search_fields = ["title", "summary", "topics"]
    panels = [
        FieldPanel("title"),
        FieldPanel("summary"),
        FieldPanel("topics"),
        FieldPanel("target_professions"),
        FieldPanel("hours"),
        FieldRowPanel([FieldPanel("completion_rule"), FieldPanel("min_attendance_percent")]),
    ]


class EditionViewSet(ModelViewSet):
    model = Edition
    icon = "date"
    menu_label = _("Editions")
    list_display = ["__str__", "municipality", "capacity", "status"]
    list_filter = ["status", "programme"]
    list_export = ["programme", "start_date", "end_date", "venue", "municipality", "capacity", "status"]
    panels = [
        FieldPanel("programme"),
        FieldRowPanel([FieldPanel("start_date"), FieldPanel("end_date")]),
        MultiFieldPanel(
            [FieldPanel("venue"), FieldPanel("online_link"), FieldPanel("municipality"), FieldPanel("language")],
            heading=_("Place"),
        ),
        FieldPanel("trainers"),
        MultiFieldPanel(
            [
                FieldPanel("status"),
                FieldPanel("capacity"),
                FieldRowPanel([FieldPanel("enrolment_opens"), FieldPanel("enrolment_closes")]),
                FieldPanel("requires_approval"),
                FieldPanel("promotion_needs_confirmation"),
                FieldPanel("confirm_days"),
                FieldPanel("project"),
                FieldPanel("priority_places"),
                FieldPanel("self_check_in"),
            ],
            heading=_("Enrolment"),
        ),
        InlinePanel("sessions", heading=_("Sessions"), label=_("Session")),
    ]


class EnrollmentViewSet(ModelViewSet):
    model = Enrollment
    icon = "user"
    menu_label = _("Enrolments")
    list_display = ["user", "edition", "status", "priority", "created_at"]
    list_filter = ["status", "edition"]
    list_export = ["user", "edition", "status", "priority", "created_at", "completion_reason"]
    search_fields = ["user__email", "user__profile__full_name"]
    # Status changes go through the services (waitlist, seats): coordinators correct data here, the
    # workflows run on the site.
    panels = [
        FieldPanel("edition"),
        FieldPanel("user"),
        FieldPanel("status"),
        FieldPanel("priority"),
        FieldPanel("completion_reason"),
    ]


class TrainingsViewSetGroup(ViewSetGroup):
    items = (
        ProgrammeViewSet("training_programmes"),
        EditionViewSet("training_editions"),
        EnrollmentViewSet("enrolments"),
    )
    menu_icon = "group"
    menu_label = _("Trainings")


@hooks.register("register_admin_viewset")
def register_viewset():
    return TrainingsViewSetGroup()
