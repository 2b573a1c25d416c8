"""The admin's error summary (templates/admin/includes/error_summary.html): where each error's link goes."""

from django import forms, template

register = template.Library()


@register.filter
def error_target(bound_field):
    """The id of the box a field's error link leads to: a date and time field, or a set of boxes, has no id of its
    own (Django labels it with a legend), so the link goes to its first box (`…_0`)."""
    widget = bound_field.field.widget
    widget = getattr(widget, "widget", widget)  # the admin wraps foreign keys (add and change links)
    target = bound_field.id_for_label
    if isinstance(widget, forms.MultiWidget | forms.RadioSelect | forms.CheckboxSelectMultiple) or not target:
        base = widget.attrs.get("id") or bound_field.auto_id
        return f"{base}_0"
    return target
