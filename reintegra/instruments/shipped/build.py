"""Build the shipped XLSForms from the Python data below.

    python -m reintegra.instruments.shipped.build

writes `<form_id>.xlsx` next to this file for every form in `SHIPPED`. Edit the data here, not
the workbooks. Scoring follows DESIGN.md §7: `choices.score`, `survey.dimension` and
`survey.weight`, an optional `dimensions` sheet, and `settings.tier` / `settings.case_field`.

Every label, hint and message is given as an (English, French) pair. No official weight is
invented: the reintegration sustainability survey ships unofficial equal weights (DOMAIN.md §2).
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from reintegra.instruments.shipped import SHIPPED, SHIPPED_DIR

EN = "English (en)"
FR = "French (fr)"
LANGUAGES = (EN, FR)
VERSION = "1"

Bi = tuple[str, str]  # (English, French)
Row = dict[str, object]
Choice = tuple  # (name, English, French) or (name, English, French, score)

TRANSLATED = ("label", "hint", "required_message", "constraint_message")
SURVEY_COLUMNS = (
    "type",
    "name",
    "label",
    "hint",
    "required",
    "required_message",
    "relevant",
    "constraint",
    "constraint_message",
    "calculation",
    "appearance",
    "dimension",
    "weight",
)
CHOICE_COLUMNS = ("list_name", "name", "label", "score")
DIMENSION_COLUMNS = ("name", "label", "composite_weight")
SETTINGS_COLUMNS = (
    "form_title",
    "form_id",
    "version",
    "default_language",
    "tier",
    "case_field",
    "flag",
    "flag_when",
)


# --- building blocks --------------------------------------------------------------------------


def q(
    type_: str,
    name: str,
    label: Bi | None = None,
    hint: Bi | None = None,
    *,
    required: Bi | None = None,
    relevant: str = "",
    constraint: str = "",
    constraint_message: Bi | None = None,
    calculation: str = "",
    appearance: str = "",
    dimension: str = "",
    weight: float | None = None,
) -> Row:
    """One survey row. `required` is the required message: giving it makes the row required."""
    if constraint and not constraint_message:
        raise ValueError(f"{name}: a constraint needs a constraint message")
    return {
        "type": type_,
        "name": name,
        "label": label,
        "hint": hint,
        "required": "yes" if required else "",
        "required_message": required,
        "relevant": relevant,
        "constraint": constraint,
        "constraint_message": constraint_message,
        "calculation": calculation,
        "appearance": appearance,
        "dimension": dimension,
        "weight": weight,
    }


def group(name: str, label: Bi, rows: list[Row], *, relevant: str = "") -> list[Row]:
    return [q("begin_group", name, label, relevant=relevant), *rows, q("end_group", "")]


def repeat(name: str, label: Bi, rows: list[Row]) -> list[Row]:
    return [q("begin_repeat", name, label), *rows, q("end_repeat", "")]


def choices(list_name: str, items: list[Choice]) -> list[Row]:
    out: list[Row] = []
    for item in items:
        name, en, fr, *rest = item
        out.append(
            {
                "list_name": list_name,
                "name": name,
                "label": (en, fr),
                "score": rest[0] if rest else None,
            }
        )
    return out


REQUIRED: Bi = ("An answer is required.", "Une réponse est obligatoire.")
REQUIRED_TEXT: Bi = ("Please write an answer.", "Veuillez saisir une réponse.")
SELECT_ALL: Bi = ("Select all that apply.", "Cochez tout ce qui s'applique.")
NOT_FUTURE = ". <= today()"
NOT_FUTURE_MESSAGE: Bi = (
    "The date cannot be in the future.",
    "La date ne peut pas être dans le futur.",
)
NONE_ALONE = "not(selected(., 'none') and count-selected(.) > 1)"

CASE_NUMBER = q(
    "text",
    "case_number",
    ("Case number", "Numéro de dossier"),
    ("The case number, e.g. SN-2026-00042", "Le numéro de dossier, p. ex. SN-2026-00042"),
    required=("Enter the case number.", "Saisissez le numéro de dossier."),
)

YES_NO = choices("yes_no", [("yes", "Yes", "Oui"), ("no", "No", "Non")])
DONT_KNOW = ("dont_know", "Don't know", "Ne sait pas")
REFUSE = ("refuse", "Refuses to answer", "Refuse de répondre")
OTHER = ("other", "Other", "Autre")


def date_question(name: str, label: Bi) -> Row:
    return q(
        "date",
        name,
        label,
        required=REQUIRED,
        constraint=NOT_FUTURE,
        constraint_message=NOT_FUTURE_MESSAGE,
    )


# --- 1. Rapid vulnerability screening (DOMAIN.md §5) -----------------------------------------

# Each factor: name, label, hint or None, then the answers for high risk (score 0), moderate risk
# (0.5) and a protective factor (1). "Don't know / not disclosed" has no score.
VULNERABILITY_FACTORS: dict[str, tuple[Bi, list[tuple[str, Bi, Bi | None, Bi, Bi, Bi]]]] = {
    "individual": (
        ("Individual factors", "Facteurs individuels"),
        [
            (
                "ind_health",
                ("Physical health", "Santé physique"),
                (
                    "As declared by the person or observed. Do not record a diagnosis.",
                    "Selon ce que la personne déclare ou ce que vous observez. "
                    "N'enregistrez pas de diagnostic.",
                ),
                (
                    "Serious illness, injury or disability needing care now",
                    "Maladie grave, blessure ou handicap nécessitant des soins immédiats",
                ),
                ("Health problems that need follow-up", "Problèmes de santé nécessitant un suivi"),
                ("In good health", "En bonne santé"),
            ),
            (
                "ind_wellbeing",
                ("Emotional well-being", "Bien-être émotionnel"),
                (
                    "From your observation during the interview. If the person speaks of harming "
                    "themselves, inform the protection focal point immediately.",
                    "D'après vos observations pendant l'entretien. Si la personne parle de se "
                    "faire du mal, informez immédiatement le point focal protection.",
                ),
                (
                    "Signs of severe distress (e.g. very withdrawn, speaks of self-harm)",
                    "Signes de détresse importante (p. ex. très renfermée, parle de se faire "
                    "du mal)",
                ),
                ("Some signs of stress or worry", "Quelques signes de stress ou d'inquiétude"),
                ("Calm and able to cope", "Calme et capable de faire face"),
            ),
            (
                "ind_documents",
                ("Identity documents", "Documents d'identité"),
                None,
                ("No identity document", "Aucun document d'identité"),
                ("Expired or incomplete documents", "Documents expirés ou incomplets"),
                ("Valid identity document", "Document d'identité valide"),
            ),
            (
                "ind_skills",
                ("Education and skills", "Éducation et compétences"),
                None,
                (
                    "No schooling and no skill to earn a living",
                    "Aucune scolarité et aucune compétence pour gagner sa vie",
                ),
                (
                    "Some schooling or skills, little work experience",
                    "Un peu de scolarité ou de compétences, peu d'expérience professionnelle",
                ),
                (
                    "Skills or experience to earn a living",
                    "Compétences ou expérience permettant de gagner sa vie",
                ),
            ),
            (
                "ind_resources",
                (
                    "Personal resources for the first weeks after return",
                    "Ressources personnelles pour les premières semaines après le retour",
                ),
                None,
                (
                    "No money or belongings to meet basic needs",
                    "Ni argent ni biens pour couvrir les besoins essentiels",
                ),
                ("Enough for a few days", "De quoi tenir quelques jours"),
                ("Enough for several weeks", "De quoi tenir plusieurs semaines"),
            ),
        ],
    ),
    "household": (
        ("Household and family factors", "Facteurs liés au ménage et à la famille"),
        [
            (
                "hh_relations",
                (
                    "Relations with the family at the place of return",
                    "Relations avec la famille au lieu de retour",
                ),
                None,
                ("No family, or rejected by the family", "Pas de famille, ou rejet par la famille"),
                ("Tense or uncertain relations", "Relations tendues ou incertaines"),
                (
                    "Family supportive and ready to welcome the person",
                    "Famille solidaire et prête à accueillir la personne",
                ),
            ),
            (
                "hh_livelihood",
                ("Household livelihood", "Moyens de subsistance du ménage"),
                None,
                (
                    "No income; basic needs not met",
                    "Aucun revenu ; besoins essentiels non couverts",
                ),
                (
                    "Irregular income; some basic needs met",
                    "Revenus irréguliers ; besoins essentiels en partie couverts",
                ),
                (
                    "Regular income covering basic needs",
                    "Revenus réguliers couvrant les besoins essentiels",
                ),
            ),
            (
                "hh_debt",
                ("Debts linked to the migration", "Dettes liées à la migration"),
                (
                    "Include debts the family took on to pay for the journey.",
                    "Y compris les dettes contractées par la famille pour financer le voyage.",
                ),
                (
                    "Large debts and pressure to repay",
                    "Dettes importantes et pression pour rembourser",
                ),
                ("Debts that can be repaid over time", "Dettes remboursables avec le temps"),
                ("No debt", "Aucune dette"),
            ),
            (
                "hh_dependants",
                ("Dependants", "Personnes à charge"),
                None,
                (
                    "Several dependants and no one else to provide for them",
                    "Plusieurs personnes à charge et personne d'autre pour subvenir à leurs "
                    "besoins",
                ),
                (
                    "Dependants, with support from others",
                    "Des personnes à charge, avec l'appui d'autres proches",
                ),
                (
                    "No dependants, or the household has other providers",
                    "Aucune personne à charge, ou le ménage a d'autres soutiens",
                ),
            ),
            (
                "hh_violence",
                (
                    "Violence or abuse in the household",
                    "Violence ou maltraitance au sein du ménage",
                ),
                None,
                ("Reported by the person", "Signalée par la personne"),
                ("Concerns or signs, not confirmed", "Inquiétudes ou signes, non confirmés"),
                ("No concerns", "Aucune inquiétude"),
            ),
        ],
    ),
    "community": (
        ("Community factors", "Facteurs communautaires"),
        [
            (
                "com_acceptance",
                (
                    "Attitude of the community towards the person",
                    "Attitude de la communauté envers la personne",
                ),
                None,
                ("Hostility, stigma or rejection", "Hostilité, stigmatisation ou rejet"),
                ("Indifferent or mixed", "Indifférente ou partagée"),
                ("Welcoming", "Accueillante"),
            ),
            (
                "com_safety",
                ("Personal safety in the community", "Sécurité personnelle dans la communauté"),
                None,
                (
                    "Threats, risk of retaliation or frequent crime",
                    "Menaces, risque de représailles ou criminalité fréquente",
                ),
                ("Some insecurity", "Une certaine insécurité"),
                ("Feels safe", "Se sent en sécurité"),
            ),
            (
                "com_services",
                (
                    "Access to basic services (health centre, water, school)",
                    "Accès aux services de base (centre de santé, eau, école)",
                ),
                None,
                ("No access", "Aucun accès"),
                ("Limited or distant access", "Accès limité ou éloigné"),
                ("Adequate access", "Accès satisfaisant"),
            ),
            (
                "com_opportunities",
                ("Economic opportunities in the area", "Opportunités économiques dans la zone"),
                None,
                ("Almost none", "Presque aucune"),
                ("Few", "Peu nombreuses"),
                ("Several opportunities", "Plusieurs opportunités"),
            ),
            (
                "com_support",
                (
                    "Support outside the family (friends, associations, religious groups)",
                    "Soutien en dehors de la famille (amis, associations, groupes religieux)",
                ),
                None,
                ("None", "Aucun"),
                ("Limited", "Limité"),
                ("Strong", "Solide"),
            ),
        ],
    ),
    "structural": (
        ("Structural factors", "Facteurs structurels"),
        [
            (
                "str_discrimination",
                (
                    "Discrimination in law or in practice",
                    "Discrimination dans la loi ou dans la pratique",
                ),
                (
                    "For example because of gender, ethnicity, religion, disability or sexual "
                    "orientation.",
                    "Par exemple en raison du genre, de l'ethnie, de la religion, d'un handicap "
                    "ou de l'orientation sexuelle.",
                ),
                (
                    "Discrimination that blocks access to rights or services",
                    "Discrimination qui empêche l'accès aux droits ou aux services",
                ),
                ("Some risk of discrimination", "Un certain risque de discrimination"),
                ("No known discrimination", "Aucune discrimination connue"),
            ),
            (
                "str_justice",
                (
                    "Access to justice and protection (police, courts, social services)",
                    "Accès à la justice et à la protection (police, tribunaux, services sociaux)",
                ),
                None,
                ("No access, or afraid to use them", "Aucun accès, ou crainte d'y recourir"),
                ("Limited access", "Accès limité"),
                ("Access available", "Accès possible"),
            ),
            (
                "str_social_protection",
                (
                    "Social protection schemes (e.g. health insurance, cash transfers)",
                    "Dispositifs de protection sociale (p. ex. mutuelle de santé, transferts "
                    "monétaires)",
                ),
                None,
                ("No scheme available, or not eligible", "Aucun dispositif, ou non éligible"),
                ("Eligible but not enrolled", "Éligible mais non inscrite"),
                ("Enrolled", "Inscrite"),
            ),
            (
                "str_stability",
                (
                    "Conflict, disaster or instability in the area of return",
                    "Conflit, catastrophe ou instabilité dans la zone de retour",
                ),
                None,
                ("Active conflict or recent disaster", "Conflit en cours ou catastrophe récente"),
                ("Tensions or risk of crisis", "Tensions ou risque de crise"),
                ("Stable area", "Zone stable"),
            ),
        ],
    ),
}

VULNERABILITY_DIMENSIONS = [
    ("individual", "Individual factors", "Facteurs individuels", 1),
    ("household", "Household and family factors", "Facteurs liés au ménage et à la famille", 1),
    ("community", "Community factors", "Facteurs communautaires", 1),
    ("structural", "Structural factors", "Facteurs structurels", 1),
]


def vulnerability_screening() -> dict:
    survey: list[Row] = [
        CASE_NUMBER,
        date_question("screening_date", ("Screening date", "Date du dépistage")),
        q(
            "select_one screening_stage",
            "screening_stage",
            ("When is the screening done?", "À quel moment le dépistage est-il réalisé ?"),
            required=REQUIRED,
        ),
        q(
            "note",
            "factors_intro",
            (
                "For each factor, choose the answer that best describes the person's situation "
                "today. Record only what the person agrees to share.",
                "Pour chaque facteur, choisissez la réponse qui décrit le mieux la situation "
                "actuelle de la personne. N'enregistrez que ce que la personne accepte de "
                "partager.",
            ),
        ),
    ]
    choice_rows: list[Row] = choices(
        "screening_stage",
        [
            ("before_return", "Before return (host country)", "Avant le retour (pays d'accueil)"),
            (
                "on_arrival",
                "On arrival in the country of origin",
                "À l'arrivée dans le pays d'origine",
            ),
            ("after_return", "After return (follow-up)", "Après le retour (suivi)"),
        ],
    )
    factor_names: list[str] = []
    for dimension, (group_label, factors) in VULNERABILITY_FACTORS.items():
        rows: list[Row] = []
        for name, label, hint, high, moderate, protective in factors:
            factor_names.append(name)
            rows.append(
                q(
                    f"select_one {name}",
                    name,
                    label,
                    hint,
                    required=REQUIRED,
                    dimension=dimension,
                    weight=1,
                )
            )
            choice_rows += choices(
                name,
                [
                    ("high", *high, 0),
                    ("moderate", *moderate, 0.5),
                    ("protective", *protective, 1),
                    ("dont_know", "Don't know / not disclosed", "Ne sait pas / non communiqué"),
                ],
            )
        survey += group(f"{dimension}_factors", group_label, rows)

    high_risk_count = " + ".join(f"if(${{{n}}} = 'high', 1, 0)" for n in factor_names)
    survey += group(
        "at_risk",
        ("Groups at higher risk", "Groupes plus exposés aux risques"),
        [
            q(
                "select_multiple at_risk_groups",
                "at_risk_groups",
                (
                    "Does the person belong to any of these groups?",
                    "La personne appartient-elle à l'un de ces groupes ?",
                ),
                (
                    "Select all that apply. Record only what the person has disclosed or what is "
                    "evident; do not press for sensitive information.",
                    "Cochez tout ce qui s'applique. N'enregistrez que ce que la personne a confié "
                    "ou ce qui est manifeste ; n'insistez pas pour obtenir des informations "
                    "sensibles.",
                ),
                required=REQUIRED,
                constraint=NONE_ALONE,
                constraint_message=(
                    "'None of these' cannot be combined with another group.",
                    "« Aucun de ces groupes » ne peut pas être combiné avec un autre groupe.",
                ),
            ),
            q(
                "note",
                "child_note",
                (
                    "Unaccompanied child: inform the protection focal point without delay. The "
                    "best interests of the child come first.",
                    "Enfant non accompagné : informez sans délai le point focal protection. "
                    "L'intérêt supérieur de l'enfant prime.",
                ),
                relevant="selected(${at_risk_groups}, 'unaccompanied_child')",
            ),
            q(
                "note",
                "trafficking_note",
                (
                    "Possible victim of trafficking: follow the trafficking screening interview "
                    "procedure and inform the protection focal point without delay.",
                    "Victime potentielle de traite : suivez la procédure d'entretien de "
                    "dépistage de la traite et informez sans délai le point focal protection.",
                ),
                relevant="selected(${at_risk_groups}, 'trafficking')",
            ),
        ],
    )
    choice_rows += choices(
        "at_risk_groups",
        [
            ("unaccompanied_child", "Unaccompanied child", "Enfant non accompagné"),
            (
                "violence_in_transit",
                "Victim of violence in transit",
                "Victime de violences pendant le parcours migratoire",
            ),
            ("pregnant_woman", "Pregnant woman", "Femme enceinte"),
            (
                "gbv_survivor",
                "Survivor of gender-based violence",
                "Survivant(e) de violences basées sur le genre (VBG)",
            ),
            ("lgbti", "LGBTI person", "Personne LGBTI"),
            ("trafficking", "Possible victim of trafficking", "Victime potentielle de traite"),
            (
                "serious_health",
                "Serious medical or mental-health condition",
                "Problème grave de santé physique ou mentale",
            ),
            ("disability", "Person with a disability", "Personne en situation de handicap"),
            ("older_person", "Older person", "Personne âgée"),
            ("single_parent", "Single-parent household", "Ménage monoparental"),
            ("none", "None of these", "Aucun de ces groupes"),
        ],
    )
    survey += group(
        "outcome",
        ("Screening outcome", "Résultat du dépistage"),
        [
            q("calculate", "high_risk_count", calculation=high_risk_count),
            q(
                "note",
                "high_risk_summary",
                (
                    "Factors rated high risk: ${high_risk_count}",
                    "Facteurs à risque élevé : ${high_risk_count}",
                ),
            ),
            q(
                "select_one intervention_rating",
                "intervention_rating",
                ("Intervention rating", "Niveau d'intervention"),
                (
                    "Your overall judgement of how urgently the person needs protection support.",
                    "Votre appréciation globale de l'urgence du besoin de protection de la "
                    "personne.",
                ),
                required=REQUIRED,
            ),
            q(
                "note",
                "follow_up_note",
                (
                    "Potential vulnerabilities: plan a full follow-up screening as soon as "
                    "possible.",
                    "Vulnérabilités potentielles : prévoyez un dépistage approfondi dès que "
                    "possible.",
                ),
                relevant="${intervention_rating} = 'medium' or ${intervention_rating} = 'high'",
            ),
            q(
                "select_one yes_no",
                "referral_protection",
                (
                    "Refer to the protection focal point?",
                    "Orienter vers le point focal protection ?",
                ),
                required=REQUIRED,
                relevant="${intervention_rating} = 'high'",
            ),
            q(
                "text",
                "no_referral_reason",
                (
                    "Why is the person not being referred?",
                    "Pourquoi la personne n'est-elle pas orientée ?",
                ),
                required=REQUIRED_TEXT,
                relevant="${referral_protection} = 'no'",
            ),
            q(
                "text",
                "screener_notes",
                ("Observations", "Observations"),
                (
                    "Anything else the protection focal point or the case manager should know.",
                    "Toute autre information utile au point focal protection ou au gestionnaire "
                    "de cas.",
                ),
                appearance="multiline",
            ),
        ],
    )
    choice_rows += choices(
        "intervention_rating",
        [("low", "Low", "Faible"), ("medium", "Medium", "Moyen"), ("high", "High", "Élevé")],
    )
    choice_rows += YES_NO
    return {
        "form_id": "vulnerability_screening",
        "tier": "PROTECTION",
        # A high rating, or any group at higher risk, raises the case's protection flag (and
        # gives the protection focal point a follow-up task).
        "flag": "PROTECTION",
        "flag_when": (
            "${intervention_rating} = 'high' or (count-selected(${at_risk_groups}) > 0"
            " and not(selected(${at_risk_groups}, 'none')))"
        ),
        "survey": survey,
        "choices": choice_rows,
        "dimensions": VULNERABILITY_DIMENSIONS,
    }


# --- 2. Needs and skills assessment (DOMAIN.md §1, 2.2.3-2.2.4) ------------------------------


def needs_skills_assessment() -> dict:
    self_employment = "${preferred_path} = 'self_employment'"
    survey: list[Row] = [
        CASE_NUMBER,
        date_question("assessment_date", ("Assessment date", "Date de l'évaluation")),
        *group(
            "education",
            ("Education", "Éducation"),
            [
                q(
                    "select_one education_level",
                    "education_level",
                    ("Highest level of education", "Niveau d'études le plus élevé"),
                    required=REQUIRED,
                ),
                q(
                    "select_one literacy",
                    "literacy",
                    ("Can the person read and write?", "La personne sait-elle lire et écrire ?"),
                    ("In any language.", "Dans n'importe quelle langue."),
                    required=REQUIRED,
                ),
                q(
                    "select_one yes_no",
                    "training_wish",
                    (
                        "Would the person like to follow a training course?",
                        "La personne souhaite-t-elle suivre une formation ?",
                    ),
                ),
                q(
                    "text",
                    "training_field",
                    ("Which training?", "Quelle formation ?"),
                    relevant="${training_wish} = 'yes'",
                ),
            ],
        ),
        *group(
            "work",
            ("Work experience and skills", "Expérience professionnelle et compétences"),
            [
                q(
                    "select_one work_status",
                    "work_before_migration",
                    ("Main activity before leaving", "Activité principale avant le départ"),
                    required=REQUIRED,
                ),
                q(
                    "integer",
                    "work_experience_years",
                    (
                        "Years of work experience in total",
                        "Nombre total d'années d'expérience professionnelle",
                    ),
                    ("Enter 0 if none.", "Saisissez 0 si aucune."),
                    constraint=". >= 0 and . <= 60",
                    constraint_message=(
                        "Enter a number of years between 0 and 60.",
                        "Saisissez un nombre d'années entre 0 et 60.",
                    ),
                ),
                q(
                    "select_one yes_no",
                    "worked_during_migration",
                    (
                        "Did the person work during the migration?",
                        "La personne a-t-elle travaillé pendant la migration ?",
                    ),
                ),
                q(
                    "text",
                    "migration_work_detail",
                    ("What work, and for how long?", "Quel travail, et pendant combien de temps ?"),
                    relevant="${worked_during_migration} = 'yes'",
                ),
                q(
                    "select_multiple skills or_other",
                    "skills",
                    ("Skills the person has", "Compétences de la personne"),
                    SELECT_ALL,
                    required=REQUIRED,
                    constraint=NONE_ALONE,
                    constraint_message=(
                        "'No particular skill' cannot be combined with a skill.",
                        "« Aucune compétence particulière » ne peut pas être combiné avec une "
                        "compétence.",
                    ),
                ),
            ],
        ),
        *group(
            "plans",
            ("Plans and business ideas", "Projets et idées d'activité"),
            [
                q(
                    "select_one preferred_path",
                    "preferred_path",
                    (
                        "What kind of work would the person like after return?",
                        "Quel type de travail la personne souhaite-t-elle exercer après le "
                        "retour ?",
                    ),
                    required=REQUIRED,
                ),
                q(
                    "text",
                    "business_idea",
                    ("Business idea", "Idée d'activité"),
                    (
                        "What, where, for which customers, and what is needed to start.",
                        "Quoi, où, pour quels clients, et ce qu'il faut pour démarrer.",
                    ),
                    required=REQUIRED_TEXT,
                    relevant=self_employment,
                    appearance="multiline",
                ),
                q(
                    "select_one yes_no",
                    "business_experience",
                    (
                        "Has the person run a business before?",
                        "La personne a-t-elle déjà géré sa propre activité ?",
                    ),
                    relevant=self_employment,
                ),
                q(
                    "select_one yes_no",
                    "collective_interest",
                    (
                        "Would the person join a collective project with other returnees?",
                        "La personne serait-elle prête à participer à un projet collectif avec "
                        "d'autres migrants de retour ?",
                    ),
                ),
            ],
        ),
        *group(
            "housing",
            ("Housing", "Logement"),
            [
                q(
                    "select_one housing_situation",
                    "housing_situation",
                    ("Where does the person live now?", "Où la personne vit-elle actuellement ?"),
                    required=REQUIRED,
                ),
                q(
                    "select_one housing_condition",
                    "housing_condition",
                    ("Condition of the housing", "État du logement"),
                    relevant="${housing_situation} != 'none'",
                ),
                q(
                    "select_one yes_no",
                    "housing_support",
                    (
                        "Does the person need help with housing?",
                        "La personne a-t-elle besoin d'une aide au logement ?",
                    ),
                ),
            ],
        ),
        *group(
            "health",
            ("Health needs (declared)", "Besoins de santé (déclarés)"),
            [
                q(
                    "note",
                    "health_note",
                    (
                        "Record only the general needs the person wishes to declare. Do not "
                        "record diagnoses or medical details.",
                        "N'enregistrez que les besoins généraux que la personne souhaite "
                        "déclarer. N'enregistrez ni diagnostic ni détail médical.",
                    ),
                ),
                q(
                    "select_one yes_no",
                    "health_needs",
                    (
                        "Does the person or a household member have health needs they would "
                        "like support with?",
                        "La personne ou un membre du ménage a-t-il des besoins de santé pour "
                        "lesquels il souhaite un appui ?",
                    ),
                    required=REQUIRED,
                ),
                q(
                    "select_multiple health_support or_other",
                    "health_support",
                    ("Kind of support wanted", "Type d'appui souhaité"),
                    SELECT_ALL,
                    relevant="${health_needs} = 'yes'",
                ),
            ],
        ),
        *group(
            "family",
            ("Family situation", "Situation familiale"),
            [
                q(
                    "select_one marital_status",
                    "marital_status",
                    ("Marital status", "Situation matrimoniale"),
                ),
                q(
                    "note",
                    "household_intro",
                    (
                        "Add one entry for each person who lives in the household, not counting "
                        "the person assessed.",
                        "Ajoutez une entrée pour chaque personne vivant dans le ménage, sans "
                        "compter la personne évaluée.",
                    ),
                ),
                *repeat(
                    "household_member",
                    ("Household member", "Membre du ménage"),
                    [
                        q(
                            "select_one relationship",
                            "member_relationship",
                            ("Relationship to the person", "Lien avec la personne"),
                            required=REQUIRED,
                        ),
                        q(
                            "integer",
                            "member_age",
                            ("Age (years)", "Âge (années)"),
                            (
                                "Give an estimate if the exact age is not known.",
                                "Donnez une estimation si l'âge exact n'est pas connu.",
                            ),
                            required=REQUIRED,
                            constraint=". >= 0 and . <= 120",
                            constraint_message=(
                                "Enter an age between 0 and 120.",
                                "Saisissez un âge entre 0 et 120.",
                            ),
                        ),
                        q(
                            "select_one yes_no",
                            "member_dependent",
                            (
                                "Is this member a dependant of the person?",
                                "Ce membre est-il à la charge de la personne ?",
                            ),
                            (
                                "Relies on the person for food, housing or school costs.",
                                "Dépend de la personne pour la nourriture, le logement ou les "
                                "frais de scolarité.",
                            ),
                            required=REQUIRED,
                        ),
                        q(
                            "calculate",
                            "member_dependent_n",
                            calculation="if(${member_dependent} = 'yes', 1, 0)",
                        ),
                    ],
                ),
                q("calculate", "dependants_count", calculation="sum(${member_dependent_n})"),
                q(
                    "note",
                    "dependants_summary",
                    (
                        "Dependants recorded: ${dependants_count}",
                        "Personnes à charge enregistrées : ${dependants_count}",
                    ),
                ),
            ],
        ),
        q(
            "text",
            "other_needs",
            ("Other needs or remarks", "Autres besoins ou remarques"),
            appearance="multiline",
        ),
    ]
    choice_rows = [
        *choices(
            "education_level",
            [
                ("none", "No schooling", "Aucune scolarité"),
                ("quranic", "Quranic school only", "École coranique uniquement"),
                ("primary", "Primary", "Primaire"),
                ("lower_secondary", "Lower secondary", "Collège (premier cycle du secondaire)"),
                ("upper_secondary", "Upper secondary", "Lycée (second cycle du secondaire)"),
                (
                    "vocational",
                    "Vocational or technical training",
                    "Formation professionnelle ou technique",
                ),
                (
                    "higher",
                    "University or higher education",
                    "Université ou enseignement supérieur",
                ),
            ],
        ),
        *choices(
            "literacy",
            [
                ("easily", "Yes, easily", "Oui, facilement"),
                ("with_difficulty", "Yes, with difficulty", "Oui, avec difficulté"),
                ("no", "No", "Non"),
            ],
        ),
        *choices(
            "work_status",
            [
                ("self_employed", "Self-employed or own business", "À son compte"),
                ("employed", "Paid employee", "Salarié(e)"),
                ("casual", "Casual or day labour", "Travail journalier ou occasionnel"),
                (
                    "family_work",
                    "Unpaid work in the family farm or business",
                    "Travail non rémunéré dans l'exploitation ou l'entreprise familiale",
                ),
                ("student", "Student or apprentice", "Élève, étudiant(e) ou apprenti(e)"),
                ("no_work", "No work", "Sans travail"),
            ],
        ),
        *choices(
            "skills",
            [
                ("farming", "Farming", "Agriculture"),
                ("livestock", "Livestock", "Élevage"),
                ("fishing", "Fishing", "Pêche"),
                ("trade", "Trade and sales", "Commerce et vente"),
                ("tailoring", "Tailoring and sewing", "Couture"),
                ("hairdressing", "Hairdressing and beauty", "Coiffure et esthétique"),
                ("carpentry", "Carpentry and joinery", "Menuiserie"),
                ("masonry", "Masonry and building", "Maçonnerie et bâtiment"),
                ("welding", "Welding and metalwork", "Soudure et construction métallique"),
                ("mechanics", "Car or motorbike mechanics", "Mécanique auto ou moto"),
                ("electrical", "Electrical installation", "Électricité"),
                ("plumbing", "Plumbing", "Plomberie"),
                ("driving", "Driving (with a licence)", "Conduite (avec permis)"),
                ("cooking", "Cooking and catering", "Cuisine et restauration"),
                (
                    "phone_repair",
                    "Phone or computer repair",
                    "Réparation de téléphones ou d'ordinateurs",
                ),
                ("computing", "Computer use", "Informatique et bureautique"),
                ("none", "No particular skill", "Aucune compétence particulière"),
                OTHER,
            ],
        ),
        *choices(
            "preferred_path",
            [
                (
                    "self_employment",
                    "Self-employment (own business)",
                    "Travail indépendant (sa propre activité)",
                ),
                ("wage_employment", "Paid employment", "Emploi salarié"),
                ("training_first", "Training first", "D'abord une formation"),
                ("undecided", "Not decided yet", "Pas encore décidé"),
            ],
        ),
        *choices(
            "housing_situation",
            [
                ("own", "Own home", "Logement dont elle est propriétaire"),
                ("rented", "Rented", "En location"),
                ("family", "With family, free of charge", "Chez la famille, gratuitement"),
                (
                    "hosted",
                    "Hosted for now by friends or others",
                    "Hébergée provisoirement par des amis ou d'autres personnes",
                ),
                ("shelter", "Shelter or transit centre", "Centre d'hébergement ou de transit"),
                ("none", "No place to live", "Sans logement"),
            ],
        ),
        *choices(
            "housing_condition",
            [
                ("adequate", "Adequate", "Convenable"),
                ("repairs", "Needs repairs", "Nécessite des réparations"),
                ("inadequate", "Unsafe or overcrowded", "Insalubre ou surpeuplé"),
            ],
        ),
        *choices(
            "health_support",
            [
                (
                    "consultation",
                    "Access to a doctor or health centre",
                    "Accès à un médecin ou à un centre de santé",
                ),
                ("medicines", "Medicines", "Médicaments"),
                ("psychosocial", "Psychosocial support", "Soutien psychosocial"),
                (
                    "disability",
                    "Disability aids or rehabilitation",
                    "Aides techniques ou rééducation liées au handicap",
                ),
                (
                    "maternal_child",
                    "Care during pregnancy or for a young child",
                    "Suivi de grossesse ou soins du jeune enfant",
                ),
                ("health_insurance", "Health insurance", "Mutuelle de santé ou assurance maladie"),
                OTHER,
            ],
        ),
        *choices(
            "marital_status",
            [
                ("single", "Single", "Célibataire"),
                ("married", "Married", "Marié(e)"),
                ("separated", "Divorced or separated", "Divorcé(e) ou séparé(e)"),
                ("widowed", "Widowed", "Veuf ou veuve"),
            ],
        ),
        *choices(
            "relationship",
            [
                ("spouse", "Spouse", "Conjoint(e)"),
                ("child", "Child", "Enfant"),
                ("parent", "Father or mother", "Père ou mère"),
                ("sibling", "Brother or sister", "Frère ou sœur"),
                ("other_relative", "Other relative", "Autre membre de la famille"),
                ("not_related", "Not related", "Sans lien de parenté"),
            ],
        ),
        *YES_NO,
    ]
    return {
        "form_id": "needs_skills_assessment",
        "tier": "CASE",
        "survey": survey,
        "choices": choice_rows,
        "dimensions": [],
    }


# --- 3. Reintegration Sustainability Survey, structure only (DOMAIN.md §2) -------------------

WEIGHTS_NOTE: Bi = (
    "Unofficial equal weights — load your programme's official weights "
    "(Reintegration Handbook, Annex 4).",
    "Pondérations égales non officielles — chargez les pondérations officielles de votre "
    "programme (Manuel sur la réintégration, annexe 4).",
)

# Answer scales, best answer scored highest. "Don't know" and "refuse" have no score.
RSS_SCALES: dict[str, list[Choice]] = {
    "work_income": [
        ("none", "No work and no regular income", "Ni travail ni revenu régulier", 1),
        (
            "irregular",
            "Occasional work or irregular income",
            "Travail occasionnel ou revenu irrégulier",
            2,
        ),
        ("regular", "Regular work or income", "Travail ou revenu régulier", 3),
    ],
    "debt": [
        ("unpayable", "Debts I cannot repay", "Des dettes que je ne peux pas rembourser", 1),
        (
            "manageable",
            "Debts I can repay over time",
            "Des dettes que je peux rembourser avec le temps",
            2,
        ),
        ("none", "No debt, or only small ones", "Pas de dettes, ou seulement de petites", 3),
    ],
    "assets": [
        ("none", "None", "Aucun", 1),
        ("a_few", "A few", "Quelques-uns", 2),
        (
            "enough",
            "Enough to support a livelihood",
            "Suffisamment pour assurer un moyen de subsistance",
            3,
        ),
    ],
    "frequency_bad": [  # how often something bad happens: never is best
        ("very_often", "Very often", "Très souvent", 1),
        ("often", "Often", "Souvent", 2),
        ("sometimes", "Sometimes", "Parfois", 3),
        ("rarely", "Rarely", "Rarement", 4),
        ("never", "Never", "Jamais", 5),
    ],
    "frequency_good": [  # how often something good happens: very often is best
        ("never", "Never", "Jamais", 1),
        ("rarely", "Rarely", "Rarement", 2),
        ("sometimes", "Sometimes", "Parfois", 3),
        ("often", "Often", "Souvent", 4),
        ("very_often", "Very often", "Très souvent", 5),
    ],
    "satisfaction": [
        ("very_dissatisfied", "Very dissatisfied", "Très insatisfait(e)", 1),
        ("dissatisfied", "Dissatisfied", "Insatisfait(e)", 2),
        ("neutral", "Neither satisfied nor dissatisfied", "Ni satisfait(e) ni insatisfait(e)", 3),
        ("satisfied", "Satisfied", "Satisfait(e)", 4),
        ("very_satisfied", "Very satisfied", "Très satisfait(e)", 5),
    ],
    "housing_quality": [
        ("very_poor", "Very poor", "Très mauvais", 1),
        ("poor", "Poor", "Mauvais", 2),
        ("acceptable", "Acceptable", "Acceptable", 3),
        ("good", "Good", "Bon", 4),
        ("very_good", "Very good", "Très bon", 5),
    ],
    "access": [
        ("very_difficult", "Very difficult", "Très difficile", 1),
        ("difficult", "Difficult", "Difficile", 2),
        ("neither", "Neither easy nor difficult", "Ni facile ni difficile", 3),
        ("easy", "Easy", "Facile", 4),
        ("very_easy", "Very easy", "Très facile", 5),
    ],
    "documents": [
        ("none", "I have none of them", "Je n'en ai aucun", 1),
        (
            "some",
            "Some of them, or they have expired",
            "Certains seulement, ou ils ont expiré",
            2,
        ),
        ("all", "I have all I need", "J'ai tous ceux dont j'ai besoin", 3),
    ],
    "support_network": [
        ("no_one", "No one", "Personne", 1),
        ("a_few", "One or a few people", "Une ou quelques personnes", 2),
        ("several", "Several people", "Plusieurs personnes", 3),
    ],
    "belonging": [
        ("not_at_all", "Not at all", "Pas du tout", 1),
        ("a_little", "A little", "Un peu", 2),
        ("moderately", "Moderately", "Moyennement", 3),
        ("strongly", "Strongly", "Fortement", 4),
        ("very_strongly", "Very strongly", "Très fortement", 5),
    ],
    "safety": [
        ("unsafe", "Unsafe", "Pas en sécurité", 1),
        ("sometimes_unsafe", "Sometimes unsafe", "Parfois pas en sécurité", 2),
        ("safe", "Safe", "En sécurité", 3),
    ],
    "remigrate": [
        ("must_leave", "Yes, I feel I must leave", "Oui, je sens que je dois partir", 1),
        ("thinking", "I sometimes think about it", "J'y pense parfois", 2),
        ("no", "No", "Non", 3),
    ],
}

# One scored question per theme of DOMAIN.md §2: dimension -> group label, [(name, scale, label)]
RSS_ITEMS: dict[str, tuple[Bi, list[tuple[str, str, Bi]]]] = {
    "economic": (
        ("Economic dimension", "Dimension économique"),
        [
            (
                "econ_work_income",
                "work_income",
                (
                    "Which best describes your work and income today?",
                    "Qu'est-ce qui décrit le mieux votre travail et vos revenus aujourd'hui ?",
                ),
            ),
            (
                "econ_debt",
                "debt",
                (
                    "Which best describes your debts today?",
                    "Qu'est-ce qui décrit le mieux vos dettes aujourd'hui ?",
                ),
            ),
            (
                "econ_food",
                "frequency_bad",
                (
                    "In the past month, how often did your household have to eat less or skip "
                    "meals because there was not enough food or money?",
                    "Au cours du dernier mois, à quelle fréquence votre ménage a-t-il dû manger "
                    "moins ou sauter des repas faute de nourriture ou d'argent ?",
                ),
            ),
            (
                "econ_assets",
                "assets",
                (
                    "Do you own productive assets or property (land, livestock, tools, "
                    "equipment, a house, a vehicle)?",
                    "Possédez-vous des biens productifs ou des biens immobiliers (terre, bétail, "
                    "outils, équipement, maison, véhicule) ?",
                ),
            ),
            (
                "econ_satisfaction",
                "satisfaction",
                (
                    "How satisfied are you with your current economic situation?",
                    "Dans quelle mesure êtes-vous satisfait(e) de votre situation économique "
                    "actuelle ?",
                ),
            ),
        ],
    ),
    "social": (
        ("Social dimension", "Dimension sociale"),
        [
            (
                "soc_housing",
                "housing_quality",
                (
                    "How would you rate the housing where you live now?",
                    "Comment jugez-vous le logement où vous vivez actuellement ?",
                ),
            ),
            (
                "soc_education",
                "access",
                (
                    "If you or a member of your household wanted to, how easy would it be to go "
                    "to school or follow a training course?",
                    "Si vous ou un membre de votre ménage le souhaitiez, serait-il facile d'aller "
                    "à l'école ou de suivre une formation ?",
                ),
            ),
            (
                "soc_documentation",
                "documents",
                (
                    "Do you have the identity documents you need (e.g. national identity card, "
                    "birth certificate)?",
                    "Avez-vous les pièces d'identité dont vous avez besoin (p. ex. carte "
                    "nationale d'identité, acte de naissance) ?",
                ),
            ),
            (
                "soc_justice",
                "access",
                (
                    "If you needed it, how easy would it be to get help from the police, the "
                    "courts or a legal aid service?",
                    "En cas de besoin, serait-il facile d'obtenir l'aide de la police, de la "
                    "justice ou d'un service d'aide juridique ?",
                ),
            ),
            (
                "soc_water",
                "access",
                (
                    "How easy is it for your household to get enough safe drinking water?",
                    "Est-il facile pour votre ménage d'obtenir suffisamment d'eau potable ?",
                ),
            ),
            (
                "soc_health",
                "access",
                (
                    "If you needed it, how easy would it be to get health care (health post, "
                    "health centre, hospital)?",
                    "En cas de besoin, serait-il facile d'obtenir des soins (poste de santé, "
                    "centre de santé, hôpital) ?",
                ),
            ),
        ],
    ),
    "psychosocial": (
        ("Psychosocial dimension", "Dimension psychosociale"),
        [
            (
                "psy_support_network",
                "support_network",
                (
                    "If you needed help (money, advice, comfort), is there someone you could "
                    "count on?",
                    "Si vous aviez besoin d'aide (argent, conseils, réconfort), y a-t-il "
                    "quelqu'un sur qui vous pourriez compter ?",
                ),
            ),
            (
                "psy_participation",
                "frequency_good",
                (
                    "How often do you take part in community life (ceremonies, associations, "
                    "religious or village meetings)?",
                    "À quelle fréquence participez-vous à la vie de la communauté (cérémonies, "
                    "associations, réunions religieuses ou de quartier) ?",
                ),
            ),
            (
                "psy_belonging",
                "belonging",
                (
                    "How strongly do you feel you belong to the community where you live now?",
                    "À quel point vous sentez-vous membre de la communauté où vous vivez "
                    "actuellement ?",
                ),
            ),
            (
                "psy_safety",
                "safety",
                (
                    "How safe do you feel in your daily life where you live now?",
                    "Vous sentez-vous en sécurité au quotidien là où vous vivez actuellement ?",
                ),
            ),
            (
                "psy_discrimination",
                "frequency_bad",
                (
                    "Since your return, how often have you been treated unfairly or "
                    "discriminated against?",
                    "Depuis votre retour, à quelle fréquence avez-vous été traité(e) "
                    "injustement ou victime de discrimination ?",
                ),
            ),
            (
                "psy_distress",
                "frequency_bad",
                (
                    "In the past two weeks, how often have you felt very sad, worried, angry "
                    "or without hope?",
                    "Au cours des deux dernières semaines, à quelle fréquence vous êtes-vous "
                    "senti(e) très triste, inquiet(ète), en colère ou sans espoir ?",
                ),
            ),
            (
                "psy_remigrate",
                "remigrate",
                (
                    "Do you feel you have to leave again to live or work somewhere else?",
                    "Avez-vous le sentiment de devoir repartir pour vivre ou travailler ailleurs ?",
                ),
            ),
        ],
    ),
}

RSS_DIMENSIONS = [
    ("economic", "Economic", "Économique", 1),
    ("social", "Social", "Sociale", 1),
    ("psychosocial", "Psychosocial", "Psychosociale", 1),
]


def reintegration_sustainability() -> dict:
    survey: list[Row] = [
        CASE_NUMBER,
        q("note", "weights_note", WEIGHTS_NOTE),
        date_question("survey_date", ("Survey date", "Date de l'enquête")),
        q(
            "select_one survey_round",
            "survey_round",
            ("Survey round", "Étape de l'enquête"),
            required=REQUIRED,
        ),
        q(
            "note",
            "rss_intro",
            (
                "Read each question and its answers aloud. Use 'Don't know' or 'Refuses to "
                "answer' rather than guessing.",
                "Lisez chaque question et ses réponses à voix haute. Utilisez « Ne sait pas » "
                "ou « Refuse de répondre » plutôt que de deviner.",
            ),
        ),
    ]
    for dimension, (group_label, items) in RSS_ITEMS.items():
        survey += group(
            dimension,
            group_label,
            [
                q(
                    f"select_one {scale}",
                    name,
                    label,
                    required=REQUIRED,
                    dimension=dimension,
                    weight=1,
                )
                for name, scale, label in items
            ],
        )
    choice_rows = choices(
        "survey_round",
        [
            ("baseline", "Baseline (first survey)", "Référence (première enquête)"),
            ("follow_up", "Follow-up", "Suivi"),
            ("final", "Final (before case closure)", "Finale (avant la clôture du dossier)"),
        ],
    )
    for scale, items in RSS_SCALES.items():
        choice_rows += choices(scale, [*items, DONT_KNOW, REFUSE])
    return {
        "form_id": "reintegration_sustainability",
        "tier": "CASE",
        "survey": survey,
        "choices": choice_rows,
        "dimensions": RSS_DIMENSIONS,
    }


# --- 4. Satisfaction survey (DOMAIN.md §8) ---------------------------------------------------

SATISFACTION_ITEMS: list[tuple[str, Bi]] = [
    (
        "sat_return",
        (
            "How satisfied are you with the assistance you received for your return?",
            "Dans quelle mesure êtes-vous satisfait(e) de l'assistance reçue pour votre retour ?",
        ),
    ),
    (
        "sat_counselling",
        (
            "How satisfied are you with the counselling you received?",
            "Dans quelle mesure êtes-vous satisfait(e) des séances de conseil et d'orientation "
            "reçues ?",
        ),
    ),
    (
        "sat_economic",
        (
            "How satisfied are you with the economic assistance (business, job, training)?",
            "Dans quelle mesure êtes-vous satisfait(e) de l'assistance économique (activité, "
            "emploi, formation) ?",
        ),
    ),
    (
        "sat_social",
        (
            "How satisfied are you with the social assistance (housing, health, education, "
            "documents)?",
            "Dans quelle mesure êtes-vous satisfait(e) de l'assistance sociale (logement, santé, "
            "éducation, documents) ?",
        ),
    ),
    (
        "sat_community",
        (
            "How satisfied are you with the assistance at community level (community projects)?",
            "Dans quelle mesure êtes-vous satisfait(e) de l'assistance au niveau communautaire "
            "(projets communautaires) ?",
        ),
    ),
    (
        "sat_overall",
        (
            "Overall, how satisfied are you with the support you received?",
            "Dans l'ensemble, dans quelle mesure êtes-vous satisfait(e) du soutien reçu ?",
        ),
    ),
    (
        "sat_expectations",
        (
            "How satisfied are you that the assistance met your expectations?",
            "Dans quelle mesure êtes-vous satisfait(e) de la façon dont l'assistance a répondu "
            "à vos attentes ?",
        ),
    ),
]


def satisfaction_survey() -> dict:
    survey: list[Row] = [
        CASE_NUMBER,
        date_question("survey_date", ("Survey date", "Date de l'enquête")),
        q(
            "note",
            "satisfaction_intro",
            (
                "Tell the person that their answers will not affect the assistance they "
                "receive. Choose 'Not applicable' for any assistance they did not receive.",
                "Précisez à la personne que ses réponses n'auront aucune incidence sur "
                "l'assistance qu'elle reçoit. Choisissez « Sans objet » pour toute assistance "
                "qu'elle n'a pas reçue.",
            ),
        ),
        *group(
            "satisfaction",
            ("Satisfaction", "Satisfaction"),
            [
                q(
                    "select_one satisfaction",
                    name,
                    label,
                    required=(
                        "Choose an answer, or 'Not applicable'.",
                        "Choisissez une réponse, ou « Sans objet ».",
                    ),
                    dimension="satisfaction",
                    weight=1,
                )
                for name, label in SATISFACTION_ITEMS
            ],
        ),
        q(
            "text",
            "comments",
            (
                "Any comments or suggestions to improve the assistance?",
                "Avez-vous des commentaires ou des suggestions pour améliorer l'assistance ?",
            ),
            appearance="multiline",
        ),
    ]
    return {
        "form_id": "satisfaction_survey",
        "tier": "CASE",
        "survey": survey,
        "choices": choices(
            "satisfaction",
            [*RSS_SCALES["satisfaction"], ("not_applicable", "Not applicable", "Sans objet")],
        ),
        "dimensions": [("satisfaction", "Satisfaction", "Satisfaction", 1)],
    }


# --- 5. Monitoring visit (DOMAIN.md §1, Module 5) --------------------------------------------


def monitoring_visit() -> dict:
    in_kind = "selected(${assistance_received}, 'in_kind')"
    survey: list[Row] = [
        CASE_NUMBER,
        date_question("visit_date", ("Visit date", "Date de la visite")),
        q(
            "select_one visit_mode",
            "visit_mode",
            ("How was the visit made?", "Comment la visite a-t-elle été réalisée ?"),
            required=REQUIRED,
        ),
        q(
            "select_multiple assistance_received or_other",
            "assistance_received",
            (
                "Which assistance has the person received?",
                "Quelle assistance la personne a-t-elle reçue ?",
            ),
            SELECT_ALL,
            required=REQUIRED,
        ),
        *group(
            "handover",
            ("Hand-over certificate spot check", "Contrôle ponctuel de l'attestation de remise"),
            [
                q(
                    "select_one handover_certificate",
                    "handover_certificate",
                    ("Hand-over certificate", "Attestation de remise"),
                    (
                        "Ask to see the certificate for the goods delivered and check it "
                        "against the person and the goods.",
                        "Demandez à voir l'attestation de remise des biens livrés et vérifiez "
                        "qu'elle correspond à la personne et aux biens.",
                    ),
                    required=REQUIRED,
                ),
                q(
                    "select_one yes_partly_no",
                    "goods_in_use",
                    (
                        "Are the goods or equipment delivered still in use?",
                        "Les biens ou équipements remis sont-ils toujours utilisés ?",
                    ),
                ),
                q(
                    "text",
                    "handover_discrepancy",
                    ("Describe the discrepancy", "Décrivez l'écart constaté"),
                    required=REQUIRED_TEXT,
                    relevant=(
                        "${handover_certificate} = 'seen_not_signed' or "
                        "${handover_certificate} = 'not_available' or ${goods_in_use} = 'no'"
                    ),
                ),
            ],
            relevant=in_kind,
        ),
        *group(
            "activity",
            ("Economic activity", "Activité économique"),
            [
                q(
                    "select_one activity_status",
                    "activity_status",
                    ("Business or employment status", "Situation de l'activité ou de l'emploi"),
                    required=REQUIRED,
                ),
                q(
                    "text",
                    "business_stop_reason",
                    ("Why did the business stop?", "Pourquoi l'activité s'est-elle arrêtée ?"),
                    required=REQUIRED_TEXT,
                    relevant="${activity_status} = 'business_stopped'",
                ),
                q(
                    "note",
                    "currency_note",
                    (
                        "Amounts are in CFA francs (XOF).",
                        "Les montants sont en francs CFA (XOF).",
                    ),
                ),
                q(
                    "decimal",
                    "monthly_income",
                    ("Income in the past month (XOF)", "Revenu du mois écoulé (XOF)"),
                    (
                        "Total from all activities, in CFA francs (XOF). Enter 0 if none.",
                        "Total de toutes les activités, en francs CFA (XOF). Saisissez 0 s'il "
                        "n'y a aucun revenu.",
                    ),
                    required=REQUIRED,
                    constraint=". >= 0",
                    constraint_message=(
                        "The income cannot be negative.",
                        "Le revenu ne peut pas être négatif.",
                    ),
                ),
                q(
                    "text",
                    "difficulties",
                    (
                        "Main difficulties since the last visit",
                        "Principales difficultés depuis la dernière visite",
                    ),
                    appearance="multiline",
                ),
            ],
        ),
        *group(
            "intentions",
            ("Intentions", "Intentions"),
            [
                q(
                    "select_one yes_no_unsure",
                    "remigrate_wish",
                    (
                        "Does the person wish to migrate again?",
                        "La personne souhaite-t-elle migrer à nouveau ?",
                    ),
                    required=REQUIRED,
                ),
                q(
                    "text",
                    "remigrate_reasons",
                    (
                        "Why? Explore the reasons with the person and record them.",
                        "Pourquoi ? Explorez les raisons avec la personne et notez-les.",
                    ),
                    required=REQUIRED_TEXT,
                    relevant="${remigrate_wish} = 'yes' or ${remigrate_wish} = 'unsure'",
                    appearance="multiline",
                ),
            ],
        ),
        *group(
            "follow_up",
            ("Follow-up", "Suivi"),
            [
                q(
                    "select_one yes_no",
                    "follow_up_needed",
                    (
                        "Is follow-up or a referral needed?",
                        "Un suivi ou une orientation est-il nécessaire ?",
                    ),
                    required=REQUIRED,
                ),
                q(
                    "text",
                    "follow_up_action",
                    ("What action, and by whom?", "Quelle action, et par qui ?"),
                    required=REQUIRED_TEXT,
                    relevant="${follow_up_needed} = 'yes'",
                ),
                q(
                    "text",
                    "officer_notes",
                    ("Observations", "Observations"),
                    appearance="multiline",
                ),
            ],
        ),
    ]
    choice_rows = [
        *choices(
            "visit_mode",
            [
                ("home", "Home visit", "Visite à domicile"),
                (
                    "workplace",
                    "At the business or workplace",
                    "Sur le lieu d'activité ou de travail",
                ),
                ("office", "At the office", "Au bureau"),
                ("phone", "By phone", "Par téléphone"),
            ],
        ),
        *choices(
            "assistance_received",
            [
                ("cash", "Cash", "Espèces"),
                ("in_kind", "In-kind (goods, equipment)", "En nature (biens, équipement)"),
                ("business_support", "Business support", "Appui à l'entrepreneuriat"),
                ("training", "Training", "Formation"),
                ("housing", "Housing", "Logement"),
                ("medical_referral", "Medical referral", "Orientation médicale"),
                ("psychosocial", "Psychosocial support", "Soutien psychosocial"),
                ("education", "Education", "Éducation"),
                OTHER,
            ],
        ),
        *choices(
            "handover_certificate",
            [
                ("seen_signed", "Seen and signed", "Vue et signée"),
                ("seen_not_signed", "Seen, not signed", "Vue, non signée"),
                ("not_available", "Not available", "Non disponible"),
            ],
        ),
        *choices(
            "yes_partly_no",
            [("yes", "Yes", "Oui"), ("partly", "Partly", "En partie"), ("no", "No", "Non")],
        ),
        *choices(
            "activity_status",
            [
                ("business_running", "Own business, running", "Activité propre, en marche"),
                (
                    "business_difficulty",
                    "Own business, in difficulty",
                    "Activité propre, en difficulté",
                ),
                ("business_stopped", "Own business, stopped", "Activité propre, arrêtée"),
                ("employed", "In paid employment", "Emploi salarié"),
                ("training", "In training or apprenticeship", "En formation ou en apprentissage"),
                ("looking", "Looking for work", "À la recherche d'un emploi"),
                ("no_activity", "No activity", "Sans activité"),
            ],
        ),
        *choices(
            "yes_no_unsure",
            [("yes", "Yes", "Oui"), ("no", "No", "Non"), ("unsure", "Not sure", "Pas sûr(e)")],
        ),
        *YES_NO,
    ]
    return {
        "form_id": "monitoring_visit",
        "tier": "CASE",
        "survey": survey,
        "choices": choice_rows,
        "dimensions": [],
    }


# --- 6. Community profile (DOMAIN.md §4; issue #6) --------------------------------------------

# The community, region, department, commune and date are asked by the profile page itself (the
# community profiles of the `community` app); the questions named like the profile's fields
# (`returnees_count`, `non_migrants_count`, `participants_notes` and the six findings) fill
# them. The helper questions (`*_main`) are kept with the raw answers.


def _finding(name: str, label: Bi, hint: Bi, *, required: bool = False) -> Row:
    return q(
        "text",
        name,
        label,
        hint,
        required=REQUIRED_TEXT if required else None,
        appearance="multiline",
    )


def _count(name: str, label: Bi, hint: Bi) -> Row:
    return q(
        "integer",
        name,
        label,
        hint,
        required=REQUIRED,
        constraint=". >= 0 and . <= 100000",
        constraint_message=(
            "Enter a number of people from 0.",
            "Saisissez un nombre de personnes à partir de 0.",
        ),
    )


def community_profile() -> dict:
    survey: list[Row] = [
        q(
            "note",
            "intro_note",
            (
                "Hold the discussion with returnees and non-migrant members of the community "
                "together. Record what the group says, not names of individual returnees.",
                "Menez la discussion avec des personnes de retour et des membres non migrants "
                "de la communauté ensemble. Notez ce que dit le groupe, sans nommer de "
                "personne de retour.",
            ),
        ),
        *group(
            "participants",
            ("Participants", "Participants"),
            [
                _count(
                    "returnees_count",
                    ("Number of returnees taking part", "Nombre de personnes de retour présentes"),
                    (
                        "Returned migrants present at the discussion.",
                        "Migrants de retour présents à la discussion.",
                    ),
                ),
                _count(
                    "non_migrants_count",
                    (
                        "Number of non-migrant community members taking part",
                        "Nombre de membres non migrants de la communauté présents",
                    ),
                    (
                        "Community members who have not migrated.",
                        "Membres de la communauté qui n'ont pas migré.",
                    ),
                ),
                q(
                    "select_multiple participant_groups",
                    "participant_groups_main",
                    ("Groups represented", "Groupes représentés"),
                    SELECT_ALL,
                ),
                q(
                    "text",
                    "participants_notes",
                    ("Who took part", "Qui a participé"),
                    (
                        "Roles and groups (e.g. village chief, women's group, youth "
                        "association), not personal details.",
                        "Fonctions et groupes (p. ex. chef de village, groupement de femmes, "
                        "association de jeunes), sans données personnelles.",
                    ),
                    appearance="multiline",
                ),
            ],
        ),
        *group(
            "findings",
            ("Findings", "Constats"),
            [
                q(
                    "select_multiple needs",
                    "needs_main",
                    ("Main needs of the community", "Principaux besoins de la communauté"),
                    SELECT_ALL,
                ),
                _finding(
                    "needs",
                    ("Needs", "Besoins"),
                    (
                        "What the community lacks most, in the group's words.",
                        "Ce qui manque le plus à la communauté, selon le groupe.",
                    ),
                    required=True,
                ),
                _finding(
                    "resources",
                    ("Resources", "Ressources"),
                    (
                        "Land, water, skills, services, organisations and markets the community "
                        "can build on.",
                        "Terres, eau, compétences, services, organisations et marchés sur "
                        "lesquels la communauté peut s'appuyer.",
                    ),
                ),
                _finding(
                    "impact_of_returns",
                    ("Impact of returns on the community", "Effets des retours sur la communauté"),
                    (
                        "How the returns affect the community: pressure on resources, "
                        "tensions, new skills or investment.",
                        "Comment les retours touchent la communauté : pression sur les "
                        "ressources, tensions, nouvelles compétences ou investissements.",
                    ),
                ),
                q(
                    "select_multiple migration_drivers",
                    "migration_drivers_main",
                    ("Main drivers of migration", "Principaux facteurs de la migration"),
                    SELECT_ALL,
                ),
                _finding(
                    "migration_drivers",
                    ("Drivers of migration", "Facteurs de la migration"),
                    (
                        "Why people leave the community, in the group's words.",
                        "Pourquoi les gens quittent la communauté, selon le groupe.",
                    ),
                ),
                q(
                    "select_multiple barriers",
                    "reintegration_barriers_main",
                    (
                        "Main barriers to reintegration",
                        "Principaux obstacles à la réintégration",
                    ),
                    SELECT_ALL,
                ),
                _finding(
                    "reintegration_barriers",
                    ("Barriers to reintegration", "Obstacles à la réintégration"),
                    (
                        "What makes it hard for returnees to settle again.",
                        "Ce qui rend difficile la réinstallation des personnes de retour.",
                    ),
                ),
                _finding(
                    "resilience_sources",
                    ("Sources of resilience", "Sources de résilience"),
                    (
                        "Solidarity, savings groups, traditions and leaders that help the "
                        "community cope.",
                        "Solidarités, tontines, traditions et responsables qui aident la "
                        "communauté à faire face.",
                    ),
                ),
            ],
        ),
        *group(
            "next_steps",
            ("Next steps", "Suites à donner"),
            [
                q(
                    "select_one yes_no",
                    "project_idea",
                    (
                        "Did the group propose a community project?",
                        "Le groupe a-t-il proposé un projet communautaire ?",
                    ),
                ),
                q(
                    "text",
                    "project_idea_notes",
                    ("The project proposed", "Le projet proposé"),
                    relevant="${project_idea} = 'yes'",
                    appearance="multiline",
                ),
            ],
        ),
    ]
    choice_rows = [
        *choices(
            "participant_groups",
            [
                ("returnees", "Returnees", "Personnes de retour"),
                ("families", "Returnees' families", "Familles de personnes de retour"),
                ("leaders", "Traditional or religious leaders", "Chefs coutumiers ou religieux"),
                ("local_authority", "Local authority", "Autorité locale"),
                ("women", "Women's groups", "Groupements de femmes"),
                ("youth", "Youth associations", "Associations de jeunes"),
                ("producers", "Farmers' or producers' groups", "Groupements de producteurs"),
                OTHER,
            ],
        ),
        *choices(
            "needs",
            [
                ("jobs", "Jobs and income", "Emplois et revenus"),
                ("water", "Water", "Eau"),
                ("farming", "Farming inputs and land", "Intrants agricoles et terres"),
                ("health", "Health services", "Services de santé"),
                ("education", "Schooling and training", "Scolarité et formation"),
                ("infrastructure", "Roads, markets, electricity", "Routes, marchés, électricité"),
                ("finance", "Savings and credit", "Épargne et crédit"),
                OTHER,
            ],
        ),
        *choices(
            "migration_drivers",
            [
                ("no_work", "No work or income", "Absence de travail ou de revenu"),
                ("poor_harvests", "Poor harvests, drought", "Mauvaises récoltes, sécheresse"),
                ("family_pressure", "Family or social pressure", "Pression familiale ou sociale"),
                ("role_models", "Migrants' success abroad", "Réussite des migrants à l'étranger"),
                ("debt", "Debts", "Dettes"),
                ("services", "Lack of services", "Manque de services"),
                OTHER,
            ],
        ),
        *choices(
            "barriers",
            [
                ("stigma", "Stigma or shame of returning", "Stigmatisation ou honte du retour"),
                ("debt", "Debts from the journey", "Dettes liées au voyage"),
                ("no_work", "No work or income", "Absence de travail ou de revenu"),
                ("family", "Family tensions", "Tensions familiales"),
                ("documents", "Missing documents", "Documents manquants"),
                ("wellbeing", "Distress after the journey", "Détresse après le voyage"),
                OTHER,
            ],
        ),
        *YES_NO,
    ]
    return {
        "form_id": "community_profile",
        "tier": "CASE",
        "case_field": "",
        "survey": survey,
        "choices": choice_rows,
        "dimensions": [],
    }


FORMS = (
    vulnerability_screening,
    needs_skills_assessment,
    reintegration_sustainability,
    satisfaction_survey,
    monitoring_visit,
    community_profile,
)


# --- writing ----------------------------------------------------------------------------------


def _expand(columns: tuple[str, ...], rows: list[Row]) -> tuple[list[str], list[list[object]]]:
    """Sheet header and cells: translated columns become `col::English (en)` / `col::French
    (fr)`; columns no row uses are left out."""
    header: list[str] = []
    getters: list[tuple[str, int | None]] = []
    for column in columns:
        if not any(row.get(column) not in (None, "") for row in rows):
            continue
        if column in TRANSLATED:
            for i, language in enumerate(LANGUAGES):
                header.append(f"{column}::{language}")
                getters.append((column, i))
        else:
            header.append(column)
            getters.append((column, None))
    cells: list[list[object]] = []
    for row in rows:
        line: list[object] = []
        for column, language_index in getters:
            value = row.get(column)
            if language_index is not None:
                value = value[language_index] if value else None  # type: ignore[index]
            line.append(None if value == "" else value)
        cells.append(line)
    return header, cells


def _write_sheet(ws: Worksheet, header: list[str], cells: list[list[object]]) -> None:
    ws.append(header)
    for line in cells:
        ws.append(line)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    for index, column in enumerate(ws.columns, start=1):
        width = max(len(str(c.value)) if c.value is not None else 0 for c in column)
        ws.column_dimensions[ws.cell(row=1, column=index).column_letter].width = min(
            max(width + 2, 10), 60
        )


def check(form: dict) -> None:
    """Catch data mistakes the converter would not: a missing French text, a select without
    its list, a scored question outside a declared dimension."""
    lists = {c["list_name"] for c in form["choices"]}
    dimensions = {d[0] for d in form["dimensions"]}
    for row in [*form["survey"], *form["choices"]]:
        for column in TRANSLATED:
            value = row.get(column)
            if value and not all(value):
                raise ValueError(f"{form['form_id']}: {row.get('name')}: {column} needs EN and FR")
    for row in form["survey"]:
        parts = str(row["type"]).split()
        if parts[0] in ("select_one", "select_multiple") and parts[1] not in lists:
            raise ValueError(f"{form['form_id']}: {row['name']}: no choice list {parts[1]}")
        if row["dimension"] and dimensions and row["dimension"] not in dimensions:
            raise ValueError(f"{form['form_id']}: {row['name']}: unknown dimension")
    case_field = form.get("case_field", "case_number")
    if case_field and form["survey"][0]["name"] != case_field:
        raise ValueError(f"{form['form_id']}: {case_field} must come first")


def write(form: dict, meta: dict, path: Path) -> None:
    check(form)
    wb = Workbook()
    survey = wb.active
    assert survey is not None
    survey.title = "survey"
    _write_sheet(survey, *_expand(SURVEY_COLUMNS, form["survey"]))
    _write_sheet(wb.create_sheet("choices"), *_expand(CHOICE_COLUMNS, form["choices"]))
    if form["dimensions"]:
        rows = [
            {"name": name, "label": (en, fr), "composite_weight": weight}
            for name, en, fr, weight in form["dimensions"]
        ]
        _write_sheet(wb.create_sheet("dimensions"), *_expand(DIMENSION_COLUMNS, rows))
    settings = {
        "form_title": meta["name_en"],
        "form_id": form["form_id"],
        "version": VERSION,
        "default_language": EN,
        "tier": form["tier"],
        "case_field": form.get("case_field", "case_number"),
        "flag": form.get("flag", ""),
        "flag_when": form.get("flag_when", ""),
    }
    _write_sheet(
        wb.create_sheet("settings"),
        list(SETTINGS_COLUMNS),
        [[settings[c] for c in SETTINGS_COLUMNS]],
    )
    wb.save(path)


def build(directory: Path = SHIPPED_DIR) -> list[Path]:
    meta = {m["form_id"]: m for m in SHIPPED}
    forms = [make() for make in FORMS]
    if [f["form_id"] for f in forms] != list(meta):
        raise ValueError("FORMS and SHIPPED list different forms")
    paths = []
    for form in forms:
        path = directory / meta[form["form_id"]]["file"]
        write(form, meta[form["form_id"]], path)
        paths.append(path)
    return paths


def main() -> None:
    for path in build():
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
