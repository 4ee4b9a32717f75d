"""Demo content of the public site: services, projects, news and contact, every page also in Danish and
Serbian (website/demo_translations.py). Fictional throughout; idempotent (pages are found again by slug)."""

import datetime
import gc
import io
import json
import warnings

from wagtail.coreutils import find_available_slug
from wagtail.models import Locale, Page, Site, TranslatableMixin

from website.demo_translations import TRANSLATIONS
from website.models import (
    ContactPage,
    HomePage,
    NewsIndexPage,
    NewsPage,
    ProjectIndexPage,
    ProjectPage,
    ServicePage,
)

CONTENT_LANGUAGES = ["en", "da", "sr-latn"]
# The sizes templates/website/project_*.html ask for.
LOGO_RENDITIONS = ["max-160x80", "max-200x100"]

HOME_INTRODUCTION = (
    "Support, counseling and training for women who survived violence and for the professionals who work with them."
)
HOME_BODY = "<p>Everything we offer is free and confidential. You decide what you tell us and what happens next.</p>"


def _text(html):
    return {"type": "text", "value": html}


def _callout(tone, heading, html):
    return {"type": "callout", "value": {"tone": tone, "heading": heading, "text": html}}


def _faq(heading, pairs):
    return {
        "type": "faq",
        "value": {"heading": heading, "questions": [{"question": q, "answer": a} for q, a in pairs]},
    }


def _contact(heading, note=""):
    return {
        "type": "contact",
        "value": {
            "heading": heading,
            "phone": "+381 21 555 0147",
            "email": "podrska@example.org",
            "hours": "Mon-Fri 9:00-17:00",
            "note": note,
        },
    }


SAFETY_CALLOUT = _callout(
    "safety",
    "If you are in danger now",
    "<p>Call the police on 112. If someone checks your phone, use the “Leave this site” button at the top.</p>",
)

SERVICES = [
    {
        "slug": "case-based-counseling",
        "title": "Case-based counseling",
        "introduction": "A counselor trained in work with survivors of violence stays with you over time: we assess "
        "risks together, make a safety plan and connect you with the services you need.",
        "body": [
            _text(
                "<h2>How it works</h2><p>At the first meeting we listen and ask what you need. Together we write "
                "down a safety plan and the steps you want to take: housing, legal help, health care, work. "
                "Your counselor keeps track of every step and meets you as often as you need.</p>"
            ),
            SAFETY_CALLOUT,
            _faq(
                "Questions women often ask",
                [
                    (
                        "Do I have to give my real name?",
                        "<p>No. An alias is enough. We never write your address in our records.</p>",
                    ),
                    (
                        "Will you tell the police or social services?",
                        "<p>Only if you ask us to, or if a child is in danger. We will always tell you first.</p>",
                    ),
                    ("Does it cost anything?", "<p>No. All our services are free.</p>"),
                ],
            ),
            _contact("Book a first talk", "You can also come without an appointment on Tuesdays from 10:00."),
        ],
    },
    {
        "slug": "self-support-groups",
        "title": "Self-support groups",
        "introduction": "Small groups of women who have lived through partner violence meet every week with two "
        "trained facilitators, for twelve sessions.",
        "body": [
            _text(
                "<h2>What happens in a group</h2><p>Each group has up to twelve members and meets at the same time "
                "each week. You share only what you want to share. Many women say the group was the first place "
                "where they felt believed.</p>"
            ),
            _callout(
                "info",
                "Children are welcome",
                "<p>Childcare is provided during every session in a room next door.</p>",
            ),
            _faq(
                "Before you join",
                [
                    (
                        "Can I join in the middle?",
                        "<p>Groups are closed after the second session, but a new group starts every few months.</p>",
                    ),
                    (
                        "Who will know I am in a group?",
                        "<p>Only the facilitators and the other members, who agree to keep everything said in the "
                        "group confidential.</p>",
                    ),
                ],
            ),
            _contact("Ask about the next group"),
        ],
    },
    {
        "slug": "aftercare",
        "title": "Aftercare",
        "introduction": "After a shelter stay or the end of counseling, we stay in touch for as long as you want: "
        "talks, help with paperwork and a place to come back to.",
        "body": [
            _text(
                "<h2>Support after the crisis</h2><p>The months after leaving are often the hardest. Aftercare "
                "talks help you keep your safety plan up to date, prepare for court hearings and settle into a "
                "new home.</p>"
            ),
            _callout("important", "Court dates", "<p>We can come with you to hearings if you ask us a week ahead.</p>"),
            _contact("Talk to the aftercare team"),
        ],
    },
    {
        "slug": "coordinating-counseling",
        "title": "Coordinating counseling",
        "introduction": "For professionals: we bring together police, social services, health care and NGOs around "
        "one woman's situation, with her consent, so that nobody works alone.",
        "body": [
            _text(
                "<h2>Case conferences</h2><p>When a woman agrees, we invite the services involved to a case "
                "conference. Everyone leaves with clear tasks and a date to check progress. Her safety comes "
                "first: nothing is shared without her written consent.</p>"
            ),
            _faq(
                "For partner organisations",
                [
                    (
                        "How do we refer a woman?",
                        "<p>Call us with her agreement. We need only her first name or an alias to begin.</p>",
                    ),
                    (
                        "Do you offer training?",
                        "<p>Yes: see our accredited training catalogue for professionals.</p>",
                    ),
                ],
            ),
            _contact("Coordination desk"),
        ],
    },
]

PROJECTS = [
    {
        "slug": "safe-at-home",
        "title": "Safe at Home: coordinated response to partner violence in Vojvodina",
        "donor": "Nordic Equality Fund",
        "start_date": datetime.date(2026, 1, 1),
        "end_date": datetime.date(2027, 12, 31),
        "summary": "Building a coordinated local response so that a woman who asks for help meets services that "
        "know each other and act together.",
        "partners": "Centre for Social Work Novi Sad\nCentre for Social Work Zrenjanin\nWomen's Legal Aid Network",
        "target_groups": "Women survivors of partner violence\nSocial workers, police officers and health workers",
        "activities": "<ul><li>Six self-support group cycles in Novi Sad and Zrenjanin</li><li>Case-based "
        "counseling for 120 women</li><li>Four accredited trainings for 80 professionals</li><li>Monthly case "
        "conferences in two municipalities</li></ul>",
    },
    {
        "slug": "after-the-shelter",
        "title": "After the Shelter: aftercare and economic independence",
        "donor": "Østerbro Women's Foundation",
        "start_date": datetime.date(2025, 9, 1),
        "end_date": datetime.date(2026, 12, 31),
        "summary": "Aftercare talks, help with housing and job applications for women leaving shelters.",
        "partners": "Safe House Novi Sad\nEmployment Bureau Novi Sad",
        "target_groups": "Women leaving shelters and their children",
        "activities": "<ul><li>Aftercare talks for 60 women</li><li>Job-readiness workshops</li>"
        "<li>Legal accompaniment to court hearings</li></ul>",
    },
]

NEWS = [
    (
        "new-group-cycle-spring",
        "A new self-support group starts in March",
        datetime.date(2026, 2, 2),
        "Registration is open for the spring group in Novi Sad. Childcare is provided.",
    ),
    (
        "training-accredited",
        "Our training for social workers is accredited again",
        datetime.date(2026, 1, 15),
        "The training on risk assessment in partner violence cases keeps its accreditation for three more years.",
    ),
    (
        "sixteen-days",
        "Sixteen days of activism: what we did",
        datetime.date(2025, 12, 12),
        "Street actions in Novi Sad and Zrenjanin, a round table with the police and a new leaflet in three languages.",
    ),
]


def _child(parent, model, slug, **fields):
    """The child page with this slug, created and published if missing (so the demo can run again)."""
    existing = parent.get_children().filter(slug=slug).first()
    if existing is not None:
        return existing.specific
    if isinstance(fields.get("body"), list):
        fields["body"] = json.dumps(fields["body"])
    page = model(slug=slug, show_in_menus=model is not NewsPage, **fields)
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def _donor_logo(name):
    """A plain generated logo (initials on a coloured square): demo data needs no third-party artwork."""
    from django.core.files.images import ImageFile
    from PIL import Image, ImageDraw
    from wagtail.images.models import Image as WagtailImage

    title = f"{name} logo"
    existing = WagtailImage.objects.filter(title=title).first()
    if existing is not None:
        return existing
    canvas = Image.new("RGB", (240, 120), (91, 42, 134))
    initials = "".join(word[0] for word in name.split() if word[:1].isalpha())[:3].upper()
    ImageDraw.Draw(canvas).text((24, 40), initials, fill=(255, 255, 255), font_size=40)
    buffer = io.BytesIO()
    canvas.save(buffer, format="PNG")
    image = WagtailImage(title=title)
    image.file.save(f"donor-{initials.lower()}.png", ImageFile(buffer, name=f"donor-{initials.lower()}.png"))
    image.save()
    _renditions_prepare(image)
    return image


def _renditions_prepare(image):
    """Make the logo sizes the project templates use ahead of the first visitor.

    Wagtail leaves the temporary file of a new rendition to the garbage collector; collecting it here, with
    the warning silenced, keeps that library quirk out of the pages' first requests. The file is among the
    youngest objects: collecting the young generations finds it without walking the whole heap (a full
    collection took 0.2 s per logo in a process that had run half the test suite).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        image.get_renditions(*LOGO_RENDITIONS)
        gc.collect(1)


def _stored(value):
    """A StreamField's blocks are given as a list (stored as JSON); every other field as it is.

    A rich-text body is plain HTML: turned into JSON it would show its quotes and \\u escapes on the page.
    """
    return json.dumps(value) if isinstance(value, list) else value


def _translate(page, language_code, **fields):
    """The page's translation into the language, created from a copy and published with the given fields.

    A translation stored by an earlier version of the demo with its rich text turned into JSON is mended.
    """
    locale = Locale.objects.get(language_code=language_code)
    translation = page.get_translation_or_none(locale)
    if translation is not None:
        translation = translation.specific
        body = fields.get("body")
        if isinstance(body, str) and str(translation.body).startswith('"'):
            translation.body = body
            translation.save_revision().publish()
        return translation
    # Wagtail's copy for translation, made live with its texts in the same copy: copying for translation
    # and then publishing saved each page three times and two revisions, most of building the demo site.
    parent = page.get_parent()
    slug = page.slug
    if parent.is_root():  # a home page: the translation is its sibling
        slug = f"{slug}-{language_code}"
    else:
        parent = parent.get_translation(locale)
    translation = page.copy(
        to=parent,
        update_attrs={
            "locale": locale,
            "slug": find_available_slug(parent, slug),
            "has_unpublished_changes": False,  # its live revision is the copy itself
            **{name: _stored(value) for name, value in fields.items()},
        },
        copy_revisions=False,
        keep_live=True,
        reset_translation_key=False,
        process_child_object=_child_object_localise(locale),
        log_action="wagtail.copy_for_translation",
    )
    return translation.specific


def _child_object_localise(locale):
    """Inline objects copied with a page belong to its translation's locale (as Wagtail's own copy does)."""

    def localise(original_page, page_copy, child_relation, child_object):
        if isinstance(child_object, TranslatableMixin):
            child_object.locale = locale

    return localise


def _translate_tree(page, language_code, texts):
    """The page and the website pages below it in the language, parents before children."""
    slug = "" if page.depth == 2 else page.slug
    _translate(page, language_code, **texts.get(slug, {}))
    # Other apps' pages (the training catalogue) are made in every language by their own demo.
    for child in page.get_children().filter(content_type__app_label="website").specific():
        _translate_tree(child, language_code, texts)


def load(*, users, stdout=None):
    for code in CONTENT_LANGUAGES:
        Locale.objects.get_or_create(language_code=code)
    site = Site.objects.get(is_default_site=True)
    home = site.root_page.specific
    if not isinstance(home, HomePage):
        home = HomePage.objects.filter(depth=2, locale__language_code="en").first() or home
    if not home.body:
        home.introduction = HOME_INTRODUCTION
        home.body = HOME_BODY
        home.save_revision().publish()

    for service in SERVICES:
        _child(home, ServicePage, **service)

    projects_index = _child(
        home,
        ProjectIndexPage,
        "projects",
        title="Projects",
        introduction="Our work is funded by donors who share our aims. These are the projects running now.",
    )
    for project in PROJECTS:
        logo = _donor_logo(project["donor"])
        _child(projects_index, ProjectPage, donor_logo=logo, **project)

    news_index = _child(
        home, NewsIndexPage, "news", title="News", introduction="What is new at the centre and in our projects."
    )
    for slug, title, date, introduction in NEWS:
        _child(
            news_index,
            NewsPage,
            slug,
            title=title,
            date=date,
            introduction=introduction,
            body=[_text(f"<p>{introduction}</p><p>Write to us or call if you have questions.</p>")],
        )

    _child(
        home,
        ContactPage,
        "contact",
        title="Contact",
        introduction="Call, write or come by. You do not need to give your name.",
        address="Bulevar oslobođenja 12\n21000 Novi Sad",
        phone="+381 21 555 0147",
        email="podrska@example.org",
        opening_hours="Monday to Friday, 9:00 to 17:00\nTuesdays 10:00 to 13:00 without an appointment",
        body=json.dumps([SAFETY_CALLOUT]),
    )

    # Every page in Danish and Serbian; a page is translated after its parent.
    for code in ("da", "sr-latn"):
        _translate_tree(home, code, TRANSLATIONS[code])
    if stdout is not None:
        stdout.write(f"  website: {Page.objects.live().type(ServicePage).count()} service pages")
