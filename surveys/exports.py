"""The answers of a survey as CSV: one row per response, one column per question (the privacy rules live here).

`coalition.exports.csv_response` writes it (formula guard, `;`, UTF-8 with BOM); each answer is the question's
own `csv_cell`. The results are also for the survey's respondents (`Survey.results_for`), so no row names a
person: the coalition, its phase and the discipline are the snapshots kept with the response.

An ANONYMOUS survey's rows must not lead back to a person either:
- no submitted time, and the rows in an order that follows only their content (sorted by their cells), never the
  order they came in — the participants' `answered_at` is kept for the reminder, so the n-th row would be the n-th
  person to answer;
- the coalition, phase and discipline are generalised as on the results page: a value shared by fewer than
  MIN_GROUP responses becomes "Other" (`results.groups_to_show`), and where the three together still single out
  fewer than MIN_GROUP responses (the one midwife of a coalition), the discipline, then the coalition, then the
  phase of those rows become "Other" as well;
- under MIN_GROUP responses there is no export at all (the view says so).
"""

from collections import Counter

from django.utils import timezone
from django.utils.translation import gettext as _

from coalition.exports import csv_response
from members.models import Discipline
from network.models import Coalition, Phase

from .models import MIN_GROUP, Response
from .results import groups_to_show, other_label

# The snapshot columns after the answers, in the order they are generalised when a combination is too rare.
_COALITION, _PHASE, _DISCIPLINE = 0, 1, 2
_GENERALISE_FIRST = (_DISCIPLINE, _COALITION, _PHASE)


def survey_csv_header(survey, questions):
    header = [question.label for question in questions] + [_("Coalition"), _("Phase of the coalition"), _("Discipline")]
    if not survey.is_anonymous:
        header.append(_("Submitted at"))
    return header


def _labels(snapshots):
    names = dict(
        Coalition.objects.filter(pk__in={row[_COALITION] for row in snapshots if row[_COALITION]}).values_list(
            "pk", "name"
        )
    )
    phases, disciplines = dict(Phase.choices), dict(Discipline.choices)
    return [
        [
            names.get(coalition, ""),
            str(phases.get(phase, phase or "")),
            str(disciplines.get(discipline, discipline or "")),
        ]
        for coalition, phase, discipline in snapshots
    ]


def _generalise(snapshots):
    """The snapshot cells of an anonymous survey's rows, with every group of fewer than MIN_GROUP made "Other"."""
    other = other_label()
    cells = [list(row) for row in snapshots]
    for column in range(3):
        shown, _merged = groups_to_show(Counter(row[column] for row in cells))
        for row in cells:
            if row[column] not in shown:
                row[column] = other
    for column in _GENERALISE_FIRST:
        combinations = Counter(tuple(row) for row in cells)
        rare = {combination for combination, count in combinations.items() if count < MIN_GROUP}
        if not rare:
            break
        for row in cells:
            if tuple(row) in rare:
                row[column] = other
    return cells


def survey_csv_rows(survey, questions):
    responses = list(
        Response.objects.filter(survey=survey)
        .order_by("submitted_at", "pk")
        .values_list("answers", "coalition_id", "coalition_phase", "discipline", "submitted_at")
    )
    snapshots = _labels([row[1:4] for row in responses])
    if survey.is_anonymous:
        snapshots = _generalise(snapshots)
    rows = []
    for (answers, *_snapshot, submitted_at), cells in zip(responses, snapshots, strict=True):
        answers = answers or {}
        row = [question.csv_cell(answers.get(str(question.pk))) for question in questions] + cells
        if not survey.is_anonymous:
            row.append(timezone.localtime(submitted_at).strftime("%d-%m-%Y %H:%M"))
        rows.append(row)
    if survey.is_anonymous:
        rows.sort()  # by content only: see the module's docstring
    return rows


def survey_csv(survey):
    """The download of every response of `survey` (the view refuses an anonymous one under MIN_GROUP)."""
    questions = list(survey.questions.all())
    return csv_response(
        f"{survey.slug}-answers.csv", survey_csv_header(survey, questions), survey_csv_rows(survey, questions)
    )
