from django.conf import settings
from django.core.paginator import Paginator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from website.blocks import RICH_FEATURES, BodyBlock

NEWS_PER_PAGE = 10


class HomePage(Page):
    introduction = models.TextField(_("introduction"), blank=True)
    body = RichTextField(_("body"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("introduction"), FieldPanel("body")]
    # The trainings app adds its catalogue page here when it exists (see WebsiteConfig.ready).
    subpage_types = [
        "website.ServicePage",
        "website.ProjectIndexPage",
        "website.NewsIndexPage",
        "website.ContactPage",
    ]
    parent_page_types = ["wagtailcore.Page"]

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["sections"] = self.get_children().live().in_menu().specific()
        return context


class ServicePage(Page):
    """One of the organisation's services: counseling, self-support groups, aftercare, coordination."""

    introduction = models.TextField(_("introduction"), blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("introduction"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("introduction"), index.SearchField("body")]
    parent_page_types = ["website.HomePage", "website.ServicePage"]
    subpage_types = ["website.ServicePage"]

    class Meta:
        verbose_name = _("service page")
        verbose_name_plural = _("service pages")


class ProjectIndexPage(Page):
    introduction = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("introduction")]
    parent_page_types = ["website.HomePage"]
    subpage_types = ["website.ProjectPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("project list")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["projects"] = (
            ProjectPage.objects.child_of(self).live().select_related("donor_logo").order_by("-start_date")
        )
        return context


class ProjectPage(Page):
    """A donor-funded project as the public sees it: who pays, for how long, with whom, for whom, what."""

    donor = models.CharField(_("donor"), max_length=255)
    donor_logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("donor logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"))
    summary = models.TextField(_("summary"), blank=True)
    partners = models.TextField(_("partners"), blank=True, help_text=_("One partner per line."))
    target_groups = models.TextField(_("target groups"), blank=True, help_text=_("One target group per line."))
    activities = RichTextField(_("activities"), blank=True, features=RICH_FEATURES)

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        MultiFieldPanel(
            [FieldPanel("donor"), FieldPanel("donor_logo"), FieldPanel("start_date"), FieldPanel("end_date")],
            heading=_("Funding"),
        ),
        FieldPanel("partners"),
        FieldPanel("target_groups"),
        FieldPanel("activities"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("donor")]
    parent_page_types = ["website.ProjectIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("project page")
        verbose_name_plural = _("project pages")
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="project_page_end_after_start")
        ]

    @property
    def partner_list(self):
        return [line.strip() for line in self.partners.splitlines() if line.strip()]

    @property
    def target_group_list(self):
        return [line.strip() for line in self.target_groups.splitlines() if line.strip()]


class NewsIndexPage(Page):
    introduction = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("introduction")]
    parent_page_types = ["website.HomePage"]
    subpage_types = ["website.NewsPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("news list")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        news = NewsPage.objects.child_of(self).live().order_by("-date", "-pk")
        context["page_obj"] = Paginator(news, NEWS_PER_PAGE).get_page(request.GET.get("page"))
        return context


class NewsPage(Page):
    date = models.DateField(_("date"))
    introduction = models.TextField(_("introduction"), blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("date"), FieldPanel("introduction"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("introduction"), index.SearchField("body")]
    parent_page_types = ["website.NewsIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("news item")
        verbose_name_plural = _("news items")


class ContactPage(Page):
    introduction = models.TextField(_("introduction"), blank=True)
    address = models.TextField(_("address"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    opening_hours = models.TextField(_("opening hours"), blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("more information"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("introduction"),
        MultiFieldPanel(
            [FieldPanel("address"), FieldPanel("phone"), FieldPanel("email"), FieldPanel("opening_hours")],
            heading=_("How to reach us"),
        ),
        FieldPanel("body"),
    ]
    parent_page_types = ["website.HomePage"]
    subpage_types = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("contact page")


class CalendarFeed(models.Model):
    """A private calendar subscription URL. The token is the only secret: regenerating it revokes the old one."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    token = models.CharField(_("secret token"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(revoked_at__isnull=True), name="calendar_feed_one_active_per_user"
            )
        ]

    def __str__(self):
        # Never the token: this string can appear in logs and admin history.
        return f"calendar feed #{self.pk} ({'revoked' if self.revoked_at else 'active'})"


class ScheduledRun(models.Model):
    """A periodic job enqueued for one time slot (website/scheduler.py).

    The unique pair (job, slot) is what lets two schedulers run at the same moment, on two machines or by
    a slow cron, and still enqueue each job once: the second insert fails and that scheduler moves on.
    """

    job = models.CharField(max_length=64)
    # Organisation time: "2026-11-30" for a daily job, "2026-11-30T14" for an hourly one.
    slot = models.CharField(max_length=16)
    enqueued_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="scheduled_run_once_per_slot")]

    def __str__(self):
        return f"{self.job} {self.slot}"
