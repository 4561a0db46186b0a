"""``{% load email_i18n %}`` renders exactly what ``{% load i18n %}`` renders, in every language,
however often, and forgets what it kept when the catalogues change."""

import pytest
from django.template import Context, Engine
from django.test import override_settings
from django.utils import translation

from portfolio.templatetags import email_i18n

LIBRARIES = {"email_i18n": "portfolio.templatetags.email_i18n", "i18n": "django.templatetags.i18n"}
ENGINE = Engine(libraries=LIBRARIES)

SOURCE = "\n".join(
    [
        "{% load LIBRARY %}",
        '{% translate "Firm" %}|{% trans "Due on" %}|{% translate "Firm" noop %}|{% translate label %}',
        '{% translate "Firm" as firm_label %}[{{ firm_label }}]|{% translate "Firm"|upper %}',
        '{% translate "Due on" context "reminder" %}|{% translate "<b>&" %}',
        '{% autoescape off %}{% translate "<b>&" %}|{% translate "Firm" %}{% endautoescape %}',
        "{% blocktranslate count days=days_left %}{{ days }} day left.{% plural %}"
        "{{ days }} days left.{% endblocktranslate %}",
        "{% blocktrans count days=threshold %}This is the reminder {{ days }} day before the deadline."
        "{% plural %}This is the reminder {{ days }} days before the deadline.{% endblocktrans %}",
        "{% blocktranslate %}Due today: {{ obligation }}, {{ firm_name }}{% endblocktranslate %}",
        "{% blocktranslate with name=firm_name trimmed %}",
        "  100% of {{ name }}",
        "{% endblocktranslate %}",
    ]
)


def render(library: str, language: str, **values) -> str:
    template = ENGINE.from_string(SOURCE.replace("LIBRARY", library))
    with translation.override(language):
        return template.render(
            Context({"label": "Firm", "obligation": "<年报>", "firm_name": "海兰 & Co", **values})
        )


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("days", [0, 1, 2, 30])
def test_the_same_output_as_django_i18n(language, days):
    values = {"days_left": days, "threshold": days}
    assert render("email_i18n", language, **values) == render("i18n", language, **values)


def test_the_kept_output_follows_the_language():
    template = ENGINE.from_string(SOURCE.replace("LIBRARY", "email_i18n"))
    reference = ENGINE.from_string(SOURCE.replace("LIBRARY", "i18n"))
    context = {"label": "Firm", "obligation": "x", "firm_name": "y"}
    # One template object rendered again and again, the languages and counts alternating.
    for language, days in [("zh-hans", 1), ("en", 1), ("zh-hans", 5), ("en", 5), ("en", 1), ("zh-hans", 1)]:
        with translation.override(language):
            values = {**context, "days_left": days, "threshold": days}
            assert template.render(Context(values)) == reference.render(Context(values))
    with translation.override("zh-hans"):
        assert "企业" in template.render(Context({**context, "days_left": 1, "threshold": 1}))


def test_the_constant_messages_are_kept_and_forgotten_when_the_catalogues_change(tmp_path):
    template = ENGINE.from_string('{% load email_i18n %}{% translate "Firm" %}')
    [node] = [n for n in template.nodelist if isinstance(n, email_i18n.TranslateNode)]
    assert node.constant
    with translation.override("zh-hans"):
        first = template.render(Context())
    assert node.rendered and first != "Firm"
    generation = email_i18n._generation
    with override_settings(LOCALE_PATHS=[tmp_path]):
        assert email_i18n._generation == generation + 1
    with translation.override("zh-hans"):
        assert template.render(Context()) == first


def test_a_variable_message_is_not_kept():
    template = ENGINE.from_string("{% load email_i18n %}{% translate label %}")
    [node] = [n for n in template.nodelist if isinstance(n, email_i18n.TranslateNode)]
    assert not node.constant
    assert template.render(Context({"label": "a"})) == "a"
    assert template.render(Context({"label": "b"})) == "b"


def test_one_message_included_with_and_without_escaping():
    def page(library: str) -> str:
        templates = {
            "label": "{% load LIBRARY %}{% translate '<b>&' %}|{% translate \"Firm\" %}",
            "page": '{% include "label" %}|{% autoescape off %}{% include "label" %}{% endautoescape %}',
        }
        loader = (
            "django.template.loaders.cached.Loader",
            [
                (
                    "django.template.loaders.locmem.Loader",
                    {k: v.replace("LIBRARY", library) for k, v in templates.items()},
                )
            ],
        )
        engine = Engine(loaders=[loader], libraries=LIBRARIES)
        with translation.override("zh-hans"):
            return engine.get_template("page").render(Context()) + engine.get_template("page").render(
                Context()
            )

    assert page("email_i18n") == page("i18n")
