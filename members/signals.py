"""Signals other apps listen to (a member was approved, an account is about to be deleted), and the members app's
own receiver of post_migrate (the planner cost of pg_trgm's operators)."""

import logging

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

# Sent by members.services.approve inside its transaction, after the profile is saved as approved:
# sender=Profile, profile=<Profile>. Receivers' writes commit or roll back with the approval; a
# receiver that causes side effects outside the database should wrap them in transaction.on_commit.
profile_approved = Signal()

# Sent by members.services.delete_account inside its transaction, just before the user is deleted:
# sender=User, user=<User>. Receivers scrub copies of personal data (names, addresses typed into
# their own rows); rows that point at the user with SET_NULL stay, anonymised, for the counts.
account_deleting = Signal()


# pg_trgm's operator functions, with the planner cost migration 0006 gave them: each call builds the trigrams of a
# whole search document (40-60 microseconds), yet the extension declares the default COST 1. A dump/restore or an
# upgrade of the extension declares it again, so restore_trigram_cost sets it after every `migrate`.
TRIGRAM_OPERATOR_FUNCTIONS = [
    "similarity_op",
    "word_similarity_op",
    "word_similarity_commutator_op",
    "strict_word_similarity_op",
    "strict_word_similarity_commutator_op",
]
TRIGRAM_OPERATOR_COST = 1000


def restore_trigram_cost(sender, *, using=DEFAULT_DB_ALIAS, **kwargs):
    """post_migrate receiver: give pg_trgm's operators their real cost again where it was lost.

    Only on PostgreSQL, only for functions costed lower, and only where the database user owns them (ALTER
    FUNCTION needs the owner): otherwise it logs the statement for the database owner to run. Search no longer
    depends on it (the match is members_profile_matches, migration 0007), but any other query with `%>` does.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT p.oid::regprocedure::text, p.procost, pg_has_role(p.proowner, 'USAGE') FROM pg_proc p
            JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
            JOIN pg_extension e ON e.oid = d.refobjid
            WHERE e.extname = 'pg_trgm' AND p.proname = ANY(%s) AND p.procost < %s
            """,
            [TRIGRAM_OPERATOR_FUNCTIONS, TRIGRAM_OPERATOR_COST],
        )
        for function, cost, owned in cursor.fetchall():
            statement = f"ALTER FUNCTION {function} COST {TRIGRAM_OPERATOR_COST}"
            if not owned:
                logger.warning(
                    "%s has the planner cost %s; ask the database owner to run: %s", function, cost, statement
                )
                continue
            try:
                with transaction.atomic(using=using):
                    cursor.execute(statement)
            except DatabaseError as error:
                logger.warning("Could not run %s (%s); ask the database owner to run it", statement, error)
            else:
                logger.info("Restored the planner cost of %s (was %s)", function, cost)
