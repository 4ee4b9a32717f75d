"""StreamField blocks of the public pages: rich text, callouts, questions and answers, a contact box."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks

RICH_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link"]


class CalloutBlock(blocks.StructBlock):
    tone = blocks.ChoiceBlock(
        label=_("tone"),
        choices=[("info", _("Information")), ("important", _("Important")), ("safety", _("Safety"))],
        default="info",
    )
    heading = blocks.CharBlock(label=_("heading"), max_length=120)
    text = blocks.RichTextBlock(label=_("text"), features=RICH_FEATURES)

    class Meta:
        icon = "warning"
        label = _("Callout")
        template = "website/blocks/callout.html"


class QuestionBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("question"), max_length=255)
    answer = blocks.RichTextBlock(label=_("answer"), features=RICH_FEATURES)


class FaqBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("heading"), max_length=120, required=False)
    questions = blocks.ListBlock(QuestionBlock(), label=_("questions"))

    class Meta:
        icon = "help"
        label = _("Questions and answers")
        template = "website/blocks/faq.html"


class ContactBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("heading"), max_length=120)
    phone = blocks.CharBlock(label=_("phone"), max_length=40, required=False)
    email = blocks.EmailBlock(label=_("email"), required=False)
    hours = blocks.CharBlock(label=_("opening hours"), max_length=200, required=False)
    note = blocks.TextBlock(label=_("note"), required=False)

    class Meta:
        icon = "mail"
        label = _("Contact")
        template = "website/blocks/contact.html"


class BodyBlock(blocks.StreamBlock):
    text = blocks.RichTextBlock(label=_("Text"), features=RICH_FEATURES, template="website/blocks/text.html")
    callout = CalloutBlock()
    faq = FaqBlock()
    contact = ContactBlock()
