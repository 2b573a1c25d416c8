"""The yearly network pulse as a ready-made draft: the template coordinators edit in the admin.

`surveys.services.start_pulse` copies it into each year's survey. Its wording is data, not code, so it is written
in Dutch, the portal's language (gettext does not translate rows); the questions follow issue 17: whom a person now
contacts that they did not before, how easily they reach the medical and social domains and education, and how
satisfied they are with their coalition. Named, so the results break down by coalition and discipline; the results
are for the coalition's coordinators.
"""

from django.db import migrations

# Also in surveys.services (PULSE_TEMPLATE_SLUG): a migration does not import application code that may change.
TEMPLATE_SLUG = "netwerkpeiling-sjabloon"

INTRODUCTION = (
    "Eén keer per jaar vragen we iedereen in het netwerk hoe de samenwerking gaat. Het invullen duurt ongeveer "
    "drie minuten.\n\n"
    "Je antwoorden zijn niet anoniem. Zo kunnen we de uitkomsten per coalitie en per beroepsgroep laten zien en "
    "vergelijken met vorig jaar. De coördinatoren van je coalitie zien de uitkomsten."
)

# Dutch names of members.models.Discipline (as the Dutch catalogue has them), without "Other", and "Geen".
DISCIPLINES = [
    "Gemeente",
    "Verloskunde",
    "Kraamzorg",
    "Klinische verloskunde",
    "Jeugdgezondheidszorg (JGZ)",
    "Huisartsenzorg",
    "Sociaal werk",
    "Schuldhulpverlening",
    "Geestelijke gezondheidszorg",
    "Kinderopvang",
    "Scholen en onderwijs",
    "Jeugdhulp",
    "Geen",
]
EASY = "1 = heel moeilijk, 5 = heel makkelijk."

# (section title, section introduction, [(label, help text, kind, required, choices, min, max)])
SECTIONS = [
    (
        "Je contacten",
        "",
        [
            (
                "Met welke organisaties of disciplines heb je nu contact die je een jaar geleden nog niet belde?",
                "Kies alles wat past. Kies “Geen” als er niets veranderd is.",
                "several_choices",
                True,
                DISCIPLINES,
                None,
                None,
            ),
        ],
    ),
    (
        "Andere domeinen bereiken",
        "Hoe makkelijk vind je de juiste persoon als je iemand nodig hebt?",
        [
            (
                "Hoe makkelijk bereik je collega's in het medische domein?",
                "Bijvoorbeeld de verloskundige, de huisarts, de kraamzorg of de jeugdarts. " + EASY,
                "number",
                True,
                [],
                1,
                5,
            ),
            (
                "Hoe makkelijk bereik je collega's in het sociale domein?",
                "Bijvoorbeeld sociaal werk, schuldhulpverlening of het wijkteam. " + EASY,
                "number",
                True,
                [],
                1,
                5,
            ),
            (
                "Hoe makkelijk bereik je collega's in het onderwijs?",
                "Bijvoorbeeld de school, de kinderopvang of de voorschool. " + EASY,
                "number",
                True,
                [],
                1,
                5,
            ),
        ],
    ),
    (
        "Je coalitie",
        "",
        [
            (
                "Hoe tevreden ben je over de samenwerking in je coalitie?",
                "1 = helemaal niet tevreden, 5 = heel tevreden.",
                "number",
                True,
                [],
                1,
                5,
            ),
            (
                "Wat zou de samenwerking beter maken?",
                "Je mag dit leeg laten.",
                "long_text",
                False,
                [],
                None,
                None,
            ),
        ],
    ),
]


def create_template(apps, schema_editor):
    Survey = apps.get_model("surveys", "Survey")
    Section = apps.get_model("surveys", "Section")
    SurveyQuestion = apps.get_model("surveys", "SurveyQuestion")
    if Survey.objects.filter(slug=TEMPLATE_SLUG).exists():
        return
    survey = Survey.objects.create(
        title="Netwerkpeiling (sjabloon)",
        slug=TEMPLATE_SLUG,
        kind="pulse",
        introduction=INTRODUCTION,
        state="draft",
        is_anonymous=False,
        results_for="coalition",
        open_on_site=True,
    )
    position = 0
    for section_position, (title, introduction, questions) in enumerate(SECTIONS):
        section = Section.objects.create(
            survey=survey, title=title, introduction=introduction, position=section_position
        )
        for label, help_text, kind, required, choices, min_value, max_value in questions:
            SurveyQuestion.objects.create(
                survey=survey,
                section=section,
                label=label,
                help_text=help_text,
                kind=kind,
                required=required,
                choices=choices,
                min_value=min_value,
                max_value=max_value,
                position=position,
            )
            position += 1


def remove_template(apps, schema_editor):
    apps.get_model("surveys", "Survey").objects.filter(slug=TEMPLATE_SLUG, kind="pulse").delete()


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_surveys")]

    operations = [migrations.RunPython(create_template, remove_template)]
