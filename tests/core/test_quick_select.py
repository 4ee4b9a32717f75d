"""core.forms.QuickSelect writes a select's options itself: the same markup Django's own gives,
labels escaped, the chosen value selected."""

from django import forms

from core.forms import QuickSelect


class _Form(forms.Form):
    place = forms.ChoiceField(
        choices=[("", "All"), ("1", "Novi Sad <b>"), ("2", 'Niš & "Pirot"')], widget=QuickSelect, required=False
    )


def test_labels_are_escaped_and_the_chosen_value_is_selected():
    html = str(_Form(data={"place": "2"})["place"])
    assert html.startswith("<select") and 'name="place"' in html and 'id="id_place"' in html
    assert '<option value="1">Novi Sad &lt;b&gt;</option>' in html
    assert '<option value="2" selected>Niš &amp; &quot;Pirot&quot;</option>' in html
    assert '<option value="">All</option>' in html
    assert "<b>" not in html


def test_it_offers_what_django_s_own_select_offers():
    quick = str(_Form(data={"place": "1"})["place"])

    class Plain(_Form):
        place = forms.ChoiceField(choices=_Form.base_fields["place"].choices, required=False)

    plain = str(Plain(data={"place": "1"})["place"])

    def options(html):
        return [" ".join(part.split(">")[0].split()) for part in html.split("<option")[1:]]

    assert options(quick) == options(plain)
