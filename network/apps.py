"""The regional network of local coalitions: phases, trekkers, partners, declarations and joining requests."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "network"
    verbose_name = _("Network of coalitions")

    def ready(self):
        # Imported here: models and services need the app registry, which is ready only now.
        from members.services import EXPORTERS
        from members.signals import account_deleting

        from .services import export_member_data

        account_deleting.connect(_forget_account, dispatch_uid="network.forget_account")
        # "Download my data" holds the person's trekker terms, coalition roles and joining requests.
        if ("coalitions", export_member_data) not in EXPORTERS:
            EXPORTERS.append(("coalitions", export_member_data))


def _forget_account(sender, user, **kwargs):
    # Imported here: the signal may fire before anyone imported the services.
    from .services import forget_account

    forget_account(user)
