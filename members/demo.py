"""Demo data of the members app: the demo logins (more comes with the directory)."""

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.utils import timezone

from coalition.roles import COORDINATOR, MEMBER

from .models import Profile, User

DEMO_PASSWORD = "kansrijke-start-demo"


def _demo_user(email, first_name, last_name, *, role, is_staff=False):
    user, created = User.objects.get_or_create(
        email=email, defaults={"first_name": first_name, "last_name": last_name, "is_staff": is_staff}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    user.groups.add(Group.objects.get(name=role))
    Profile.objects.update_or_create(
        user=user,
        defaults={
            "first_name": first_name,
            "last_name": last_name,
            "status": Profile.Status.APPROVED,
            "status_changed_at": timezone.now(),
        },
    )
    return user


def seed(*, extra_members=0, extra_organisations=0, stdout=None):
    """Create the demo coordinator and member; return their logins as (role, e-mail, password)."""
    _demo_user("coordinator@example.org", "Carla", "de Coördinator", role=COORDINATOR, is_staff=True)
    _demo_user("member@example.org", "Mirjam", "van der Meer", role=MEMBER)
    return [
        ("coordinator", "coordinator@example.org", DEMO_PASSWORD),
        ("member", "member@example.org", DEMO_PASSWORD),
    ]
