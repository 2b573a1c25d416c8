"""Who may open the cockpit: regional coordinators, and coalition coordinators for their own coalitions.

Without an object the rules ask whether the person coordinates the region or any coalition at all; with a
coalition they ask whether the person may see that coalition's detail (network's `manages_coalition`). The
regional totals are open to every coalition coordinator: they are the frame their own figures are read in.
"""

import rules
from django.utils.translation import gettext_lazy as _

from coalition.rules import explain
from network.rules import manages_coalition

rules.add_perm("cockpit.view_cockpit", manages_coalition)
rules.add_perm("cockpit.view_impact", manages_coalition)

explain("cockpit.view_cockpit", _("The cockpit is for the coordinators of the region and of a coalition."))
explain("cockpit.view_impact", _("The impact figures are for the coordinators of the region and of a coalition."))
