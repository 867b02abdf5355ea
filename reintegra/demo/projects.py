"""Demo data of the projects area: community profiles of Koussanar (Tambacounda) and Kounkané
(Kolda, filled through the shipped community profile instrument), and community projects in
several statuses — a collective poultry and market-garden project at Koussanar led by cm.tamba
with the communication, protection and M&E focal points assigned; an inclusion project in a
Kounkané women's rice cooperative led by cm.kolda; a planned tailoring workshop at Goudiry —
with returnees from the offices' demo caseloads, community members counted by sex and age,
activities, a progress report and indicators."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from reintegra.accounts.models import Office
from reintegra.cases.selectors import case_visible_to
from reintegra.community.selectors.projects import profile_instrument
from reintegra.community.services import projects as services
from reintegra.instruments import services as instruments
from reintegra.plans.models import BudgetLine


def _caseload(user: Any, office: Office, count: int) -> list[Any]:
    """Open cases of the office that the case manager leads (a stable choice)."""
    return list(
        case_visible_to(user)
        .filter(office=office, lead=user, closed_on__isnull=True)
        .exclude(stage="PRE_DEPARTURE")
        .select_related("person")
        .order_by("pk")[:count]
    )


def projects_load(users: dict[str, Any]) -> None:
    """Add the area's demo records (called once by programme_load, inside its transaction)."""
    today = timezone.localdate()
    offices = {o.code: o for o in Office.objects.filter(code__in=["TAM", "KLD"])}
    cm_tamba, cm_kolda = users["cm.tamba"], users["cm.kolda"]
    fps = [users["fp.comms"], users["fp.protection"], users["me.officer"]]

    koussanar = services.profile_create(
        actor=cm_tamba,
        office=offices["TAM"],
        community="Koussanar",
        region="Tambacounda",
        department="Tambacounda",
        commune="Koussanar",
        profiled_on=today - timedelta(days=150),
        returnees_count=14,
        non_migrants_count=26,
        participants_notes="Chef de village, groupement de femmes, association des jeunes, imam",
        needs="Water for market gardens in the dry season; jobs for young people; "
        "training in poultry keeping.",
        resources="Two hectares of communal land near the borehole; a women's savings group; "
        "the weekly market (loumo) of Koussanar.",
        impact_of_returns="Families hosting returnees spend more; some returnees are seen as "
        "having failed, others bring skills from construction work in Morocco.",
        migration_drivers="Poor harvests, no work in the dry season, pressure from families "
        "with a member abroad.",
        reintegration_barriers="No start-up capital; debts incurred for the journey; "
        "stigma towards those who came back empty-handed.",
        resilience_sources="Strong family ties; the tontine; a village committee that "
        "already runs the borehole.",
    )
    # Kounkané's profile is filled through the shipped community profile instrument (loaded
    # by the assessments demo, or here): the answers fill the counts, participants and the six
    # findings.
    if profile_instrument() is None:
        instruments.shipped_load(actor=users["me.officer"])
    kounkane = services.profile_create(
        actor=cm_kolda,
        office=offices["KLD"],
        community="Kounkané",
        region="Kolda",
        department="Vélingara",
        commune="Kounkané",
        profiled_on=today - timedelta(days=95),
        instrument_version=profile_instrument(),
        answers={
            "returnees_count": 9,
            "non_migrants_count": 31,
            "participant_groups_main": ["returnees", "local_authority", "women", "leaders"],
            "participants_notes": "Sous-préfet, coopérative rizicole des femmes, chefs de quartier",
            "needs_main": ["farming", "infrastructure", "finance"],
            "needs": "Rice husking equipment; storage; market access in Diaobé.",
            "resources": "A women's rice cooperative with 60 members; irrigated lowland plots.",
            "impact_of_returns": "Returnees have joined family farms; few have their own income.",
            "migration_drivers_main": ["no_work", "role_models"],
            "migration_drivers": "Low farm prices, the pull of Diaobé's trade towards the "
            "Gambia and beyond.",
            "reintegration_barriers_main": ["no_work", "debt"],
            "reintegration_barriers": "Land held by elders; little credit.",
            "resilience_sources": "The cooperative; the weekly market of Diaobé.",
            "project_idea": "yes",
            "project_idea_notes": "A rice husking and storage unit run by the cooperative "
            "with returnees.",
        },
    )

    line = BudgetLine.objects.filter(code="TAM-EUTF-01").first()
    poultry = services.project_create(
        actor=cm_tamba,
        office=offices["TAM"],
        title="Ferme avicole et jardin maraîcher de Koussanar",
        summary="A collective project of returnees with the village's women's group: a "
        "500-hen layer farm and a one-hectare market garden watered from the borehole. "
        "Objectives: a monthly income for each member and eggs and vegetables for the "
        "Koussanar market.",
        approach="COLLECTIVE",
        dimensions=["ECONOMIC", "SOCIAL", "PSYCHOSOCIAL"],
        region="Tambacounda",
        department="Tambacounda",
        commune="Koussanar",
        place="Parcelle communale du forage",
        partners="Groupement de femmes de Koussanar; service départemental de l'élevage",
        profile=koussanar,
        budget_amount=Decimal("6500000"),
        currency="XOF",
        budget_line=line,
        starts_on=today - timedelta(days=90),
        ends_on=today + timedelta(days=275),
        lead=cm_tamba,
        focal_points=fps,
    )
    services.project_checklist_update(
        actor=cm_tamba,
        project=poultry,
        version=None,
        ratings={
            "RETURNEES": {"rating": "MET", "notes": "14 returnees to Koussanar in 18 months."},
            "SKILLS": {"rating": "PARTLY", "notes": "Two have poultry experience; training."},
            "INTEREST": {"rating": "MET", "notes": "The village committee offered the land."},
            "INFRASTRUCTURE": {"rating": "PARTLY", "notes": "Borehole; no grid electricity."},
            "SERVICES": {"rating": "PARTLY", "notes": "Health post and school in the commune."},
            "STABILITY": {"rating": "MET", "notes": ""},
            "CIVIL_SOCIETY": {"rating": "MET", "notes": "Active women's group and tontine."},
        },
    )
    services.project_transition(actor=cm_tamba, project=poultry, status="ACTIVE")
    for case in _caseload(cm_tamba, offices["TAM"], 4):
        services.participant_add_returnee(
            actor=cm_tamba, project=poultry, case=case, role="Membre du GIE"
        )
    for sex, band, count, role in (
        ("F", "25-59", 12, "Groupement de femmes"),
        ("F", "18-24", 5, "Membre"),
        ("M", "18-24", 4, "Membre"),
        ("M", "60+", 1, "Comité de gestion"),
    ):
        services.participant_add_members(
            actor=cm_tamba, project=poultry, sex=sex, age_band=band, count=count, role=role
        )
    services.participant_add_members(
        actor=cm_tamba,
        project=poultry,
        sex="M",
        age_band="25-59",
        name="Samba Cissokho",
        role="Formateur en aviculture",
    )
    for title, planned, done, output in (
        ("Assemblée villageoise de lancement", 85, 84, "62 people attended; GIE set up."),
        ("Formation en aviculture (5 jours)", 60, 58, "18 members trained."),
        ("Construction du poulailler", 40, 30, "Hen house for 500 layers built."),
        ("Première vente au loumo de Koussanar", -10, None, ""),
    ):
        services.activity_add(
            actor=cm_tamba,
            project=poultry,
            title=title,
            planned_on=today - timedelta(days=planned),
            done_on=today - timedelta(days=done) if done is not None else None,
            output=output,
        )
    services.report_add(
        actor=cm_tamba,
        project=poultry,
        period_start=today - timedelta(days=90),
        period_end=today - timedelta(days=30),
        summary="The GIE is registered, the members are trained and the hen house is built. "
        "The first 500 pullets arrived.",
        challenges="Feed prices rose by 15%; one returnee left for Dakar.",
        next_steps="First egg sales; set up the market garden before the dry season.",
        reported_on=today - timedelta(days=28),
    )
    eggs = services.indicator_add(
        actor=cm_tamba,
        project=poultry,
        name="Plateaux d'œufs vendus par semaine",
        unit="plateaux",
        baseline=Decimal(0),
        target=Decimal(120),
    )
    for days, value in ((21, 20), (14, 38), (7, 55)):
        services.measurement_add(
            actor=users["me.officer"],
            indicator=eggs,
            measured_on=today - timedelta(days=days),
            value=Decimal(value),
        )
    income = services.indicator_add(
        actor=cm_tamba,
        project=poultry,
        name="Membres avec un revenu mensuel",
        unit="personnes",
        baseline=Decimal(0),
        target=Decimal(20),
    )
    services.measurement_add(
        actor=users["me.officer"],
        indicator=income,
        measured_on=today - timedelta(days=7),
        value=Decimal(8),
    )

    rice = services.project_create(
        actor=cm_kolda,
        office=offices["KLD"],
        title="Inclusion dans la coopérative rizicole des femmes de Kounkané",
        summary="Returnees join the existing women's rice cooperative: husking, storage and "
        "sales at the Diaobé market.",
        approach="INCLUSION",
        dimensions=["ECONOMIC", "SOCIAL"],
        region="Kolda",
        department="Vélingara",
        commune="Kounkané",
        place="Bas-fonds de Kounkané",
        partners="Coopérative rizicole des femmes de Kounkané",
        profile=kounkane,
        budget_amount=Decimal("3200000"),
        currency="XOF",
        budget_line=BudgetLine.objects.filter(code="KLD-EUTF-01").first(),
        starts_on=today - timedelta(days=45),
        ends_on=today + timedelta(days=320),
        lead=cm_kolda,
        focal_points=[users["me.officer"]],
    )
    services.project_transition(actor=cm_kolda, project=rice, status="ACTIVE")
    for case in _caseload(cm_kolda, offices["KLD"], 3):
        services.participant_add_returnee(actor=cm_kolda, project=rice, case=case, role="Membre")
    services.participant_add_members(
        actor=cm_kolda, project=rice, sex="F", age_band="25-59", count=38, role="Coopératrice"
    )
    services.participant_add_members(
        actor=cm_kolda, project=rice, sex="F", age_band="60+", count=6, role="Comité"
    )
    services.activity_add(
        actor=cm_kolda,
        project=rice,
        title="Achat d'une décortiqueuse",
        planned_on=today + timedelta(days=20),
    )
    services.indicator_add(
        actor=cm_kolda,
        project=rice,
        name="Tonnes de riz décortiqué",
        unit="t",
        baseline=Decimal(4),
        target=Decimal(20),
    )

    services.project_create(
        actor=users["coord.tamba"],
        office=offices["TAM"],
        title="Atelier de couture communautaire de Goudiry",
        summary="A new community tailoring workshop for young women and returnees.",
        approach="NEW_COMMUNITY",
        dimensions=["ECONOMIC"],
        region="Tambacounda",
        department="Goudiry",
        commune="Goudiry",
        starts_on=today + timedelta(days=60),
        lead=cm_tamba,
        focal_points=[users["fp.comms"]],
    )
    suspended = services.project_create(
        actor=cm_tamba,
        office=offices["TAM"],
        title="Embouche bovine à Dialacoto",
        approach="COLLECTIVE",
        dimensions=["ECONOMIC"],
        region="Tambacounda",
        department="Tambacounda",
        commune="Dialacoto",
        lead=cm_tamba,
    )
    services.project_transition(actor=cm_tamba, project=suspended, status="ACTIVE")
    services.project_transition(
        actor=cm_tamba,
        project=suspended,
        status="SUSPENDED",
        reason="Cattle disease in the area: the veterinary service asked to wait.",
    )
