"""The directory's common search asks the GIN indexes whatever the statistics, never scanning every profile.

A search for a word that one profile in six holds (as "verloskundige" in the demo) once tempted the planner to
test the trigram operator on every row, each test building the trigrams of a whole document; on a table never
analysed, or analysed before a bulk import, it still did after migration 0006 told PostgreSQL what the operator
costs. Since migration 0007 the match is a function whose one statement has no other plan than the two GIN
indexes. These tests read the plans of the page, its count and the directory's pages, and the plan the function
ran inside each, in every statistics state: never analysed, analysed at a thirtieth of the rows before a bulk
import, current, and with the operator's cost forgotten by a restore. On a fresh test database too (`--create-db`).
"""

import json
import random
from contextlib import contextmanager

import pytest
from django.contrib.postgres.search import SearchQuery, TrigramWordSimilarity
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from members.models import Profile, User

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="plans of PostgreSQL")

COMMON = "verloskundige"
PEOPLE = 3000
WORD_SIMILARITY_THRESHOLD = 0.6  # pg_trgm.word_similarity_threshold's default, which search relies on
WORDS = [
    "kraamverzorgende", "jeugdverpleegkundige", "huisarts", "maatschappelijk", "werker", "schuldhulpverlener",
    "beleidsadviseur", "ervaringsdeskundige", "pedagogisch", "medewerker", "kraamzorg", "gemeente", "goes",
    "vlissingen", "middelburg", "borsele", "veere", "vroegsignalering", "armoede", "schulden", "kinderwens",
]  # fmt: skip


TABLES = ("members_profile", "members_user")


def _add_people(start, stop):
    """Approved members numbered start..stop-1, one in six a midwife (a third of them named so twice)."""
    rng = random.Random(start)
    users = User.objects.bulk_create(User(email=f"crowd{n}@example.org") for n in range(start, stop))
    profiles = []
    for n, user in enumerate(users, start):
        words = rng.sample(WORDS, 6)
        if n % 6 == 0:
            words.insert(2, COMMON)
        if n % 18 == 0:
            words.append(COMMON)  # a better rank: pages span ranks
        profiles.append(
            Profile(
                user=user,
                first_name=f"voornaam{n}",
                last_name=f"achternaam{n}",
                status=Profile.Status.APPROVED,
                search_text=" ".join([f"voornaam{n}", f"achternaam{n}", *words]),
            )
        )
    Profile.objects.bulk_create(profiles, batch_size=1000)


def _analyze():
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"ANALYZE {table}")


@pytest.fixture
def crowd(db, member):
    """PEOPLE approved members, one in six a midwife."""
    _add_people(0, PEOPLE)


@pytest.fixture
def never_analyzed(db):
    """The tables as the planner sees them before their first ANALYZE (earlier tests may have run autovacuum's).

    Only a superuser may forget statistics; the test transaction's rollback brings them back.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if not cursor.fetchone()[0]:
            pytest.skip("forgetting statistics needs a superuser")
        for table in TABLES:
            cursor.execute("DELETE FROM pg_statistic WHERE starelid = %s::regclass", [table])
            cursor.execute("UPDATE pg_class SET reltuples = -1, relpages = 0 WHERE oid = %s::regclass", [table])


@contextmanager
def _plans_run_inside_functions():
    """The plans of the statements functions run (members_profile_matches), as auto_explain reports them.

    EXPLAIN of a query shows a function as one node; auto_explain, told to explain nested statements and to send
    its report to the client, shows the plan PostgreSQL actually ran inside it. Only a superuser may LOAD it.
    """
    plans = []
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if not cursor.fetchone()[0]:
            pytest.skip("auto_explain, which reads the plan inside the search function, needs a superuser")
        cursor.execute("LOAD 'auto_explain'")
        for setting in (
            "log_min_duration = 0",
            "log_nested_statements = on",
            "log_level = notice",
            "log_format = json",
        ):
            cursor.execute(f"SET LOCAL auto_explain.{setting}")  # until the test's transaction rolls back

    def collect(diagnostic):
        report = diagnostic.message_primary or ""
        if "plan:" in report:
            explained = json.loads(report.split("plan:", 1)[1])
            if "document_query" in explained["Query Text"]:  # the function's own statement
                plans.append(explained["Plan"])

    connection.connection.add_notice_handler(collect)
    try:
        yield plans
    finally:
        connection.connection.remove_notice_handler(collect)


def _plans(member, text=COMMON):
    """The plans of every statement a search runs: as a queryset (count, first page) and as the directory pages it
    (RankedMatches: the ranks of the matches, then the page). EXPLAIN (JSON) of each, and the plan of the match
    function's statement each time it ran."""
    searched = Profile.objects.visible_to(member).select_related("user", "organisation").search(text)
    with _plans_run_inside_functions() as inside, CaptureQueriesContext(connection) as captured:
        searched.count()
        list(searched[:25])
        list(Paginator(searched.pages(), 25).get_page(1).object_list)
    plans = []
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {query['sql']}")
            plans.append(_json(cursor.fetchone()[0])[0]["Plan"])
    return plans, inside


def _json(value):
    return json.loads(value) if isinstance(value, str) else value


def _nodes(plan):
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


SEARCHING = ("%>", "@@")


def _tests(node, *keys):
    """Whether the node applies a search operator in one of these parts of its plan."""
    return any(operator in str(node.get(key, "")) for key in keys for operator in SEARCHING)


def _assert_uses_the_indexes(plans_and_inside):
    """The statements leave the match to the function, whose one statement asks both GIN indexes and nothing else."""
    plans, inside = plans_and_inside
    assert len(plans) == 4  # count, page; the ranks of the matches, the page of RankedMatches
    matching = [plan for plan in plans if any(node.get("Function Name") == MATCHES for node in _nodes(plan))]
    assert len(matching) == 3, "the page of RankedMatches reads its rows by key and does not search again"
    for plan in plans:
        for node in _nodes(plan):
            assert not _tests(node, *CONDITIONS), json.dumps(node, indent=1)
    assert len(inside) >= 3, "the function ran for each statement that matches"
    for plan in inside:
        nodes = list(_nodes(plan))
        kinds = {node["Node Type"] for node in nodes}
        assert "Seq Scan" not in kinds and "Bitmap Heap Scan" in kinds, json.dumps(plan, indent=1)  # Gather above?
        assert not any(_tests(node, "Filter") for node in nodes), json.dumps(plan, indent=1)  # row by row
        searched_by = {node.get("Index Name") for node in nodes if node["Node Type"] == "Bitmap Index Scan"}
        assert searched_by == {"profile_search_vector", "profile_search_trgm"}, json.dumps(plan, indent=1)


CONDITIONS = ("Filter", "Join Filter", "Recheck Cond", "Index Cond", "Hash Cond", "Merge Cond")
MATCHES = "members_profile_matches"


def test_common_search_uses_the_indexes_before_any_statistics(crowd, never_analyzed, member):
    _assert_uses_the_indexes(_plans(member))


def test_common_search_uses_the_indexes_with_statistics_of_far_fewer_people(db, member):
    _add_people(0, PEOPLE // 30)
    _analyze()  # then a bulk import, before autovacuum analyses again
    _add_people(PEOPLE // 30, PEOPLE)
    _assert_uses_the_indexes(_plans(member))


def test_common_search_uses_the_indexes_after_analyze(crowd, member):
    _analyze()
    _assert_uses_the_indexes(_plans(member))


def test_typo_uses_the_indexes_after_analyze(crowd, member):
    _analyze()
    _assert_uses_the_indexes(_plans(member, "verloskundge"))


def test_common_search_uses_the_indexes_after_a_restore_forgot_the_trigram_cost(crowd, never_analyzed, member):
    """A dump/restore or a pg_trgm upgrade puts the operator's cost back to 1 (the post_migrate handler sets it
    again, test_trigram_cost.py); until then the search needs it no more than it needs statistics."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT oid::regprocedure FROM pg_proc WHERE proname = ANY(%s)",
            [["word_similarity_op", "word_similarity_commutator_op"]],
        )
        for (function,) in cursor.fetchall():
            cursor.execute(f"ALTER FUNCTION {function} COST 1")  # rolled back with the test
    _assert_uses_the_indexes(_plans(member))


def test_the_trigram_operator_is_known_to_be_costly(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT procost FROM pg_proc WHERE proname = 'word_similarity_commutator_op'")
        assert cursor.fetchone()[0] >= 100


def test_paging_a_search_shows_every_match_once_in_the_order_of_the_queryset(crowd, member):
    searched = Profile.objects.visible_to(member).search(COMMON)
    paginator = Paginator(searched.pages(), 25)
    paged = [profile.pk for number in paginator.page_range for profile in paginator.page(number).object_list]
    assert paginator.count == searched.count()
    assert paged == list(searched.values_list("pk", flat=True))


def test_search_finds_what_testing_every_row_finds(crowd, member):
    query = SearchQuery(COMMON, config="dutch", search_type="websearch")
    every_row = (
        Profile.objects.visible_to(member)
        .annotate(similarity=TrigramWordSimilarity(COMMON, "search_text"))
        .filter(Q(search_vector=query) | Q(similarity__gte=WORD_SIMILARITY_THRESHOLD))
    )
    found = set(Profile.objects.visible_to(member).search(COMMON).values_list("pk", flat=True))
    assert found == set(every_row.values_list("pk", flat=True))
    assert len(found) >= PEOPLE // 6  # every midwife, and a few whose words look much like it
