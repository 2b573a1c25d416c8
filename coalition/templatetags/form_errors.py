"""What every portal form shows about its errors: the page title's "Error:", the summary's links, the required note.

The pattern (DESIGN.md §7, NL Design System / GOV.UK): after an invalid submit the page title starts with
"Error:", an error summary at the top of the form takes the focus and links to each field, every field keeps
what was typed. Crispy renders every portal form; its hook at the top of a form (templates/bootstrap5/errors.html)
writes the summary, the "* is required" note and the character counter's words, so a new form has them too.
"""

from django import forms, template
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


def _has_errors(value):
    # type(), not isinstance(): isinstance() would evaluate the context's lazy objects (the user, the roles).
    return issubclass(type(value), forms.BaseForm) and value.is_bound and bool(value.errors)


@register.simple_tag(takes_context=True)
def title_error_prefix(context):
    """ "Error: " when a form on the page has errors (whatever the view named it), for the start of the title."""
    for layer in context.dicts:
        if any(_has_errors(value) for value in layer.values()):
            return _("Error:") + " "
    return ""


@register.filter
def error_anchor(bound_field):
    """The id a summary link points to, on the portal's pages and in the admin: the field's input; for a date and
    time field or a group of radios or boxes, which have no id of their own (Django labels them with a legend),
    their first box (`…_0`)."""
    widget = bound_field.field.widget
    widget = getattr(widget, "widget", widget)  # the admin wraps foreign keys (add and change links)
    target = bound_field.id_for_label
    if isinstance(widget, forms.MultiWidget | forms.RadioSelect | forms.CheckboxSelectMultiple) or not target:
        return f"{widget.attrs.get('id') or bound_field.auto_id}_0"
    return target


@register.filter
def error_label(label):
    """A field's label before its error in the summary: "Name:", but "Why now?" as it is."""
    label = str(label)
    return label if label.endswith(("?", ":", "!")) else f"{label}:"


@register.filter
def has_required_fields(form):
    return any(field.field.required for field in form.visible_fields())


@register.simple_tag
def character_count_words():
    """The words of the live counter static/js/portal.js puts under a text with a length limit, in the page's
    language; %(count)s becomes the number. Dutch and English have the same two plural forms (1, other)."""

    one_and_other = (1, 2)
    left = [ngettext("%(count)s character left", "%(count)s characters left", n) for n in one_and_other]
    over = [ngettext("%(count)s character too many", "%(count)s characters too many", n) for n in one_and_other]
    limit = [
        ngettext("You can enter up to %(count)s character.", "You can enter up to %(count)s characters.", n)
        for n in one_and_other
    ]
    return format_html(
        '<div hidden class="character-count-words" data-left-one="{}" data-left-other="{}" data-over-one="{}"'
        ' data-over-other="{}" data-limit-one="{}" data-limit-other="{}"></div>',
        *left,
        *over,
        *limit,
    )
