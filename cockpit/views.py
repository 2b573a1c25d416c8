"""The cockpit's to-do page: what waits for the coordinator today, each item linking to where it is handled."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from coalition.access import get_object_or_refuse, permission_required
from coalition.mail import retry_failed
from coalition.models import Mailing

from .todo import build


@never_cache
@require_GET
@permission_required("cockpit.view_cockpit")
def todo(request):
    return render(request, "cockpit/todo.html", {"todo": build(request.user)})


@require_POST
@permission_required("coalition.change_mailing")
def retry_mailing(request, pk):
    """The Retry button of a failed mailing: its failed deliveries go back in the queue (as the outbox's admin
    action does, through the same coalition.mail.retry_failed)."""
    mailing = get_object_or_refuse(request, "coalition.change_mailing", Mailing.objects.all(), pk=pk)
    count = retry_failed(mailing)
    if count:
        messages.success(
            request,
            ngettext("%(count)d failed mail is sent again.", "%(count)d failed mails are sent again.", count)
            % {"count": count},
        )
    else:
        messages.info(request, _("This mailing has no failed mails to send again."))
    return redirect("cockpit:todo")
