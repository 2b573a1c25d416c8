"""The regional network of local coalitions: phases, trekkers, partners, declarations and joining requests."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from coalition.fragments import watch_table


class NetworkConfig(AppConfig):
    name = "network"
    verbose_name = _("Network of coalitions")

    def ready(self):
        # Imported here: models and services need the app registry, which is ready only now.
        from members import exports, forms, rules, views  # noqa: PLC0415 — apps' ready()
        from members.services import EXPORTERS, SIGNUP_ALERT_RECIPIENTS  # noqa: PLC0415 — apps' ready()
        from members.signals import account_deleting  # noqa: PLC0415 — apps' ready()

        from .exports import PARTNERSHIPS_COLUMN  # noqa: PLC0415 — apps' ready()
        from .forms import coalition_filter_fields, narrow_organisations, narrow_profiles  # noqa: PLC0415 — apps' ready()
        from .models import Coalition  # noqa: PLC0415 — apps' ready()
        from .rules import coordinates_a_coalition_of  # noqa: PLC0415 — apps' ready()
        from .services import coordinators_of_signup, export_member_data  # noqa: PLC0415 — apps' ready()
        from .views import organisation_partnerships  # noqa: PLC0415 — apps' ready()

        account_deleting.connect(_forget_account, dispatch_uid="network.forget_account")
        # The coalition selects of the filter bars (members.forms.LongSelect) keep the coalitions' names.
        watch_table(Coalition)
        # What the network adds to the members app, through its registries (members never imports the network):
        for registry, entry in (
            # "download my data": the person's trekker terms, coalition roles and joining requests;
            (EXPORTERS, ("coalitions", export_member_data)),
            # the directory and the organisation list filter by coalition and circle;
            (forms.DIRECTORY_FILTERS, (coalition_filter_fields, narrow_profiles)),
            (forms.ORGANISATION_FILTERS, (coalition_filter_fields, narrow_organisations)),
            # an organisation's page and the organisations CSV say in which coalitions it is a partner;
            (views.ORGANISATION_PAGE_SECTIONS, organisation_partnerships),
            (exports.ORGANISATION_CSV_COLUMNS, PARTNERSHIPS_COLUMN),
            # coalition coordinators approve the sign-ups of people working in their coalitions.
            (rules.EXTRA_APPROVERS, coordinates_a_coalition_of),
            # ... and hear of each new sign-up there (members.services.alert_signup).
            (SIGNUP_ALERT_RECIPIENTS, coordinators_of_signup),
        ):
            if entry not in registry:
                registry.append(entry)


def _forget_account(sender, user, **kwargs):
    from .services import forget_account  # noqa: PLC0415 — apps.py is imported before any model exists

    forget_account(user)
