"""Coordinator screens in the Wagtail admin: programmes, editions, sessions, enrolments, importing trainees.

Editions, sessions and enrolments save through trainings.services (see trainings.admin_views): the admin
meets the same rules as the pages. Listings fetch what their rows and filters show in a fixed number of
queries, whatever the number of rows.
"""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.viewsets.base import ViewSetGroup

from core.admin_cells import ModelViewSet
from trainings import admin_views
from trainings.forms import EditionAdminForm, EnrollmentOnBehalfForm, EnrollmentStatusForm, TrainingSessionAdminForm
from trainings.models import Edition, Enrollment, TrainingProgramme, TrainingSession


class ProgrammeViewSet(ModelViewSet):
    model = TrainingProgramme
    icon = "doc-full"
    menu_label = _("Programmes")
    list_display = ["title", "hours", "completion_rule"]
    search_fields = ["title", "summary", "topics"]
    copy_view_enabled = False
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
    index_view_class = admin_views.EditionIndexView
    add_view_class = admin_views.EditionCreateView
    edit_view_class = admin_views.EditionEditView
    delete_view_class = admin_views.EditionDeleteView
    copy_view_enabled = False
    list_display = ["__str__", "municipality", "capacity", "status"]
    list_filter = ["status", "programme"]
    list_export = ["programme", "start_date", "end_date", "venue", "municipality", "capacity", "status"]
    edit_handler = ObjectList(
        [
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
        ],
        base_form_class=EditionAdminForm,
    )


class TrainingSessionViewSet(ModelViewSet):
    model = TrainingSession
    icon = "time"
    menu_label = pgettext_lazy("training", "Sessions")
    index_view_class = admin_views.TrainingSessionIndexView
    add_view_class = admin_views.TrainingSessionCreateView
    edit_view_class = admin_views.TrainingSessionEditView
    delete_view_class = admin_views.TrainingSessionDeleteView
    copy_view_enabled = False
    list_display = ["edition", "start", "end", "title", "cancelled"]
    filterset_class = admin_views.TrainingSessionFilterSet
    ordering = ["-start"]

    def get_form_class(self, for_update=False):
        return TrainingSessionAdminForm


class EnrollmentViewSet(ModelViewSet):
    model = Enrollment
    icon = "user"
    menu_label = _("Enrolments")
    index_view_class = admin_views.EnrollmentIndexView
    add_view_class = admin_views.EnrollmentCreateView
    edit_view_class = admin_views.EnrollmentEditView
    delete_view_class = admin_views.EnrollmentDeleteView
    copy_view_enabled = False
    list_display = ["user", "edition", "status", "priority", "hours_attended", "created_at"]
    filterset_class = admin_views.EnrollmentFilterSet
    list_export = ["user", "edition", "status", "priority", "created_at", "hours_attended", "reason_shown"]
    search_fields = ["user__email", "user__profile__full_name"]

    def get_form_class(self, for_update=False):
        # Creating is enrolling someone on her behalf; changing is a step of the enrolment's workflow.
        return EnrollmentStatusForm if for_update else EnrollmentOnBehalfForm


class TrainingsViewSetGroup(ViewSetGroup):
    items = (
        ProgrammeViewSet("training_programmes"),
        EditionViewSet("training_editions"),
        TrainingSessionViewSet("training_sessions"),
        EnrollmentViewSet("enrolments"),
    )
    menu_icon = "group"
    menu_label = _("Trainings")


@hooks.register("register_admin_viewset")
def register_viewset():
    return TrainingsViewSetGroup()


@hooks.register("register_admin_urls")
def register_admin_urls():
    from django.urls import include

    urls = [
        path(
            "editions/<int:pk>/import/",
            admin_views.TraineeImportView.as_view(),
            name="import_trainees",
        )
    ]
    return [path("trainings/", include((urls, "trainings_admin"), namespace="trainings_admin"))]
