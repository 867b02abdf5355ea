"""Demo data of the retention area: the programme's default retention rules, and legal holds
that the coordinators' home pages show — one active on a closed Tambacounda case (a complaint
under review), one lifted on a Kolda case."""

from typing import Any

from reintegra.cases.choices import Stage
from reintegra.cases.models import Case
from reintegra.privacy.models.retention import LegalHold
from reintegra.privacy.services import retention as services


def _case(code: str, closed: bool) -> Case | None:
    qs = Case.objects.filter(office__code=code).order_by("pk")
    qs = qs.filter(stage=Stage.CLOSED) if closed else qs.exclude(stage=Stage.CLOSED)
    return qs.first()


def retention_load(users: dict[str, Any]) -> None:
    services.rules_ensure()
    if LegalHold.objects.exists():
        return
    tamba = _case("TAM", closed=True) or _case("TAM", closed=False)
    if tamba is not None:
        services.legal_hold_place(
            actor=users["coord.tamba"],
            case=tamba,
            reason="A complaint about this case is under review by the ombudsman.",
        )
    kolda = _case("KLD", closed=True) or _case("KLD", closed=False)
    if kolda is not None:
        hold = services.legal_hold_place(
            actor=users["coord.national"],
            case=kolda,
            reason="Documents requested by the labour inspectorate.",
        )
        services.legal_hold_lift(
            actor=users["coord.national"],
            hold=hold,
            reason="The inspectorate returned the documents.",
            version=hold.version,
        )
