"""Django's ``{% translate %}`` and ``{% blocktranslate %}`` for the outbox's emails, remembering
what does not change from one email to the next.

The same tags with the same syntax and output as ``{% load i18n %}`` (makemessages reads them
as usual); what differs is the work per rendering. A worker renders thousands of emails whose
labels are the same constant messages: with Django's nodes, looking each one up again and
passing it through the variable machinery was about 40 % of a reminder's text template. Here:

- ``{% translate "constant" %}`` (no filters, context or ``as``) keeps its output per language
  and catalogue generation (a template's string literal is safe: never escaped);
- ``{% blocktranslate %}`` keeps the message strings its blocks make (they depend only on the
  template); the translation and the variables are looked up every time, as Django does.

The catalogue generation moves on whenever a setting that changes translations changes
(tests override them), so nothing kept outlives the catalogues it came from.
"""

from __future__ import annotations

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags import i18n
from django.utils import translation

register = template.Library()

_TRANSLATION_SETTINGS = {"LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS", "INSTALLED_APPS"}
_generation = 0


@receiver(setting_changed)
def _catalogues_changed(setting: str, **kwargs) -> None:
    global _generation
    if setting in _TRANSLATION_SETTINGS:
        _generation += 1


class TranslateNode(i18n.TranslateNode):
    def __init__(self, node: i18n.TranslateNode) -> None:
        super().__init__(node.filter_expression, node.noop, node.asvar, node.message_context)
        expression = node.filter_expression
        self.constant = (
            not node.asvar
            and not node.message_context
            and not expression.filters
            and getattr(expression.var, "lookups", ()) is None
        )
        self.rendered: dict[tuple, str] = {}

    def render(self, context) -> str:
        if not self.constant:
            return super().render(context)
        key = (_generation, translation.get_language())
        try:
            return self.rendered[key]
        except KeyError:
            value = self.rendered[key] = super().render(context)
            return value


class BlockTranslateNode(i18n.BlockTranslateNode):
    """Django's node, making the message strings of its blocks once.

    ``render`` renders each name the two blocks list; a name the singular already lists is not
    listed again for the plural, so it is rendered once (to the same value: the count is set
    before either is rendered).
    """

    def render_token_list(self, tokens) -> tuple[str, list[str]]:
        made = self.__dict__.setdefault("made", {})
        try:
            message, names = made[id(tokens)]
        except KeyError:
            message, names = super().render_token_list(tokens)
            if tokens is self.plural:
                singular_names = set(super().render_token_list(self.singular)[1])
                names = [name for name in dict.fromkeys(names) if name not in singular_names]
            else:
                names = list(dict.fromkeys(names))
            made[id(tokens)] = message, names
        return message, list(names)  # the caller extends the list it gets


@register.tag("translate")
@register.tag("trans")
def do_translate(parser, token) -> TranslateNode:
    return TranslateNode(i18n.do_translate(parser, token))


@register.tag("blocktranslate")
@register.tag("blocktrans")
def do_block_translate(parser, token) -> BlockTranslateNode:
    node = i18n.do_block_translate(parser, token)
    node.__class__ = BlockTranslateNode  # the same node, with the memory (no state of its own)
    return node
