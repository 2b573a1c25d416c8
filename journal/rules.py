"""Who may do what in the community journal (django-rules; see coalition/rules.py)."""

import rules
from django.utils.translation import gettext_lazy as _

from coalition.rules import add_model_perms, explain, is_active_user, is_coordinator, is_editor


@rules.predicate
def is_published(user, obj):
    """A published edition or story (or a story's published edition)."""
    return obj is not None and obj.is_published


# Reading: published work for everyone, unpublished work for the editorial team and coordinators.
rules.add_perm("journal.read", is_published | is_editor)
# The editorial desk, tips and preview links.
rules.add_perm("journal.use_desk", is_editor)
rules.add_perm("journal.view_tips", is_editor)
rules.add_perm("journal.handle_tip", is_editor)
rules.add_perm("journal.revoke_preview_link", is_editor)
# The workflow: the team moves work along and approves each other's stories; coordinators approve,
# schedule and publish editions (and late stories), and decide who sits on the team.
rules.add_perm("journal.submit_for_review", is_editor)
rules.add_perm("journal.send_back", is_editor)
rules.add_perm("journal.approve_story", is_editor)
rules.add_perm("journal.approve_edition", is_coordinator)
rules.add_perm("journal.publish_edition", is_coordinator)
rules.add_perm("journal.publish_story", is_coordinator)
rules.add_perm("journal.create_preview_link", is_editor)
rules.add_perm("journal.manage_team", is_coordinator)
# A person's own subscription settings.
rules.add_perm("journal.manage_own_subscription", is_active_user)

# The admin.
rules.add_perm("journal", is_editor)
add_model_perms("journal.edition", view=is_editor, add=is_coordinator, change=is_coordinator, delete=is_coordinator)
add_model_perms("journal.story", view=is_editor, add=is_editor, change=is_editor, delete=is_coordinator)
# A coordinator may note down a tip that came in by phone; the team works on tips on the site and here.
add_model_perms("journal.tip", view=is_editor, add=is_coordinator, change=is_editor, delete=is_coordinator)
# Preview links are made and revoked by admin actions (journal.create_preview_link, journal.revoke_preview_link).
add_model_perms("journal.previewlink", view=is_editor)
for _model in ("editorialmembership", "subscriber"):
    add_model_perms(
        f"journal.{_model}", view=is_coordinator, add=is_coordinator, change=is_coordinator, delete=is_coordinator
    )

explain("journal.read", _("This is not published yet: only the editorial team and coordinators can read it."))
explain("journal.use_desk", _("The editorial desk is for the editorial team and coordinators."))
explain("journal.view_tips", _("Tips are read by the editorial team and coordinators."))
explain("journal.handle_tip", _("Tips are handled by the editorial team and coordinators."))
explain("journal.publish_edition", _("Only coordinators publish an edition."))
explain("journal.approve_edition", _("Only coordinators approve a whole edition."))
explain("journal.submit_for_review", _("Only the editorial team and coordinators can submit work for review."))
explain("journal.send_back", _("Only the editorial team and coordinators can send work back."))
explain("journal.approve_story", _("Only the editorial team and coordinators can approve a story."))
explain("journal.publish_story", _("Only coordinators can publish a story."))
explain("journal.create_preview_link", _("Only the editorial team and coordinators can share a preview."))
explain("journal.revoke_preview_link", _("Only the editorial team and coordinators can revoke a preview."))
explain("journal.manage_team", _("Only coordinators can change the editorial team."))
