"""Who may do what in the network of coalitions (django-rules; see coalition/rules.py).

A regional coordinator (`coalition.rules.is_coordinator`) may do everything in every coalition. A coalition
coordinator manages their own coalitions and nothing of another one; a current trekker decides on the joining
requests of their coalition. Object permissions take a coalition or anything that belongs to one (a trekker,
a partnership, a declaration, a signature, a joining request). Without an object, as the admin asks for its
lists and menu, they ask whether the person coordinates (or leads) any coalition at all; the admin then shows
only that person's own coalitions.
"""

import rules
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coalition.rules import add_model_perms, explain, is_approved_member, is_coordinator

from .models import CircleChange, Coalition, CoalitionCoordinator, CoalitionMunicipality, Signature, Trekker


def coalition_id_of(obj):
    """The id of the coalition `obj` belongs to (a coalition is its own), or None."""
    if obj is None:
        return None
    if isinstance(obj, Coalition):
        return obj.pk
    if isinstance(obj, Signature):
        return obj.declaration.coalition_id
    if isinstance(obj, CircleChange):
        return obj.partnership.coalition_id
    return getattr(obj, "coalition_id", None)


def coordinated_coalition_ids(user):
    """The ids of the coalitions `user` coordinates; asked once per user object (a request's user)."""
    ids = getattr(user, "_coordinated_coalition_ids", None)
    if ids is None:
        ids = set()
        if is_approved_member(user):
            ids = set(CoalitionCoordinator.objects.filter(user=user).values_list("coalition_id", flat=True))
        user._coordinated_coalition_ids = ids
    return ids


def led_coalition_ids(user):
    """The ids of the coalitions `user` is a current trekker or deputy of; asked once per user object."""
    ids = getattr(user, "_led_coalition_ids", None)
    if ids is None:
        ids = set()
        if is_approved_member(user):
            ids = set(
                Trekker.objects.current(timezone.localdate())
                .filter(profile__user=user)
                .values_list("coalition_id", flat=True)
            )
        user._led_coalition_ids = ids
    return ids


def coordinated_municipality_ids(user):
    """The ids of the municipalities of the coalitions `user` coordinates; asked once per user object."""
    ids = getattr(user, "_coordinated_municipality_ids", None)
    if ids is None:
        coalitions = coordinated_coalition_ids(user)
        ids = set()
        if coalitions:
            ids = set(
                CoalitionMunicipality.objects.filter(coalition_id__in=coalitions).values_list(
                    "municipality_id", flat=True
                )
            )
        user._coordinated_municipality_ids = ids
    return ids


def forget_cached_roles(user):
    """After a change of someone's roles: the next question asks the database again."""
    for attribute in ("_coordinated_coalition_ids", "_led_coalition_ids", "_coordinated_municipality_ids"):
        if hasattr(user, attribute):
            delattr(user, attribute)


def _holds(ids, obj):
    if obj is None:
        return bool(ids)
    return coalition_id_of(obj) in ids


@rules.predicate
def is_coalition_coordinator(user, obj=None):
    """Coordinator of the coalition `obj` belongs to; without an object, of any coalition."""
    return _holds(coordinated_coalition_ids(user), obj)


@rules.predicate
def is_trekker_of(user, obj=None):
    """A current trekker or deputy of the coalition `obj` belongs to; without an object, of any coalition."""
    return _holds(led_coalition_ids(user), obj)


@rules.predicate
def coordinates_a_coalition_of(user, profile=None):
    """Coordinator of a coalition that the person works in (one of their municipalities is in it).

    Without a profile: whether `user` coordinates a coalition at all. Prefetch the profiles' municipalities
    when asking about many.
    """
    if profile is None:
        return bool(coordinated_coalition_ids(user))
    places = coordinated_municipality_ids(user)
    return bool(places) and any(municipality.pk in places for municipality in profile.municipalities.all())


manages_coalition = is_coordinator | is_coalition_coordinator

# A coalition's page, phase, trekkers, partners and declarations: its coordinators and regional coordinators
# (network.change_coalition, the admin's permission below, is the same question).
rules.add_perm("network.change_phase", manages_coalition)
# Joining requests: its trekkers too (the partners approach the trekkers).
rules.add_perm("network.decide_join_request", manages_coalition | is_trekker_of)
# Appointing coalition coordinators, and the region at a glance: regional coordinators.
rules.add_perm("network.appoint_coalition_coordinator", is_coordinator)
rules.add_perm("network.view_regional_overview", is_coordinator)
# The signed declaration as a file: members of the network (the page lists the signatures for everyone).
rules.add_perm("network.view_declaration_file", is_approved_member)

# The admin: a coalition coordinator sees and edits their own coalitions there (the admin narrows the rows).
rules.add_perm("network", manages_coalition)
add_model_perms("network.coalition", view=manages_coalition, add=is_coordinator, change=manages_coalition,
                delete=is_coordinator)  # fmt: skip
add_model_perms("network.phasechange", view=manages_coalition)
add_model_perms("network.trekker", view=manages_coalition, add=manages_coalition, change=manages_coalition,
                delete=is_coordinator)  # fmt: skip
add_model_perms("network.partnership", view=manages_coalition, add=manages_coalition, change=manages_coalition,
                delete=manages_coalition)  # fmt: skip
add_model_perms("network.circlechange", view=manages_coalition)
add_model_perms("network.declaration", view=manages_coalition, add=manages_coalition, change=manages_coalition,
                delete=is_coordinator)  # fmt: skip
add_model_perms("network.signature", view=manages_coalition, add=manages_coalition, change=manages_coalition,
                delete=manages_coalition)  # fmt: skip
add_model_perms("network.joinrequest", view=manages_coalition, change=manages_coalition)
add_model_perms("network.coalitioncoordinator", view=manages_coalition, add=is_coordinator, change=is_coordinator,
                delete=is_coordinator)  # fmt: skip
add_model_perms("network.coalitionmunicipality", view=manages_coalition)

explain("network.change_coalition", _("Only this coalition's coordinators and regional coordinators can change it."))
explain("network.change_phase", _("Only this coalition's coordinators and regional coordinators can change its phase."))
explain(
    "network.decide_join_request",
    _("Joining requests are answered by the coalition's trekkers and coordinators."),
)
explain("network.appoint_coalition_coordinator", _("Only regional coordinators appoint coalition coordinators."))
explain("network.view_regional_overview", _("The regional overview is for regional coordinators."))
explain("network.view_declaration_file", _("The signed declaration is open to approved members of the network."))
