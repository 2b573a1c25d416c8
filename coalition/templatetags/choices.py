"""{{ object|choice_label:"field" }}: what get_<field>_display() shows, at the cost of one translation.

Django's get_<field>_display() builds a dictionary of all the field's choices on every call, hashing each lazy
label, which translates it: a list of 25 people translated 14 disciplines per row. Here the labels are looked
up in a dictionary built once per field and only the one shown is translated.
"""

from functools import cache

from django import template

register = template.Library()


@cache
def _labels(field):
    return dict(field.flatchoices)


@register.filter
def choice_label(instance, name):
    field = instance._meta.get_field(name)
    value = getattr(instance, field.attname)
    return _labels(field).get(value, value)
