"""API: monitoring visits in the user's scope."""

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from reintegra.core.api import ERRORS, Id, Text
from reintegra.core.errors import NotAllowed
from reintegra.core.pagination import paginate
from reintegra.monitoring.permissions import can_view_visits
from reintegra.monitoring.selectors import visit_list_for_user

router = Router(tags=["monitoring"])


class VisitOut(Schema):
    id: int
    case: int
    case_number: str
    office: int
    months: int
    due_on: date
    status: str
    done_on: date | None
    response: int | None
    follow_up: int | None
    version: int


class VisitPage(Schema):
    items: list[VisitOut]
    count: int


class VisitQuery(Schema):
    when: Text = Field("due", max_length=16, description="due | overdue | done | all")
    case: Id | None = None
    page: int = 1


@router.get("/monitoring/visits", response={200: VisitPage, **ERRORS})
def visit_index(request: HttpRequest, params: Query[VisitQuery]) -> dict[str, Any]:
    """Monitoring visits of the cases in the user's scope: due (within 30 days, overdue
    first), overdue, done or all."""
    if not can_view_visits(request.user):
        raise NotAllowed(_("Your role does not plan monitoring visits."))
    when = params.when if params.when in ("due", "overdue", "done", "all") else "due"
    result = paginate(visit_list_for_user(request.user, when=when, case=params.case), params.page)
    return {
        "items": [
            {
                "id": v.pk,
                "case": v.case_id,
                "case_number": v.case.number,
                "office": v.office_id,
                "months": v.months,
                "due_on": v.due_on,
                "status": v.status,
                "done_on": v.done_on,
                "response": v.response_id,
                "follow_up": v.follow_up_id,
                "version": v.version,
            }
            for v in result.items
        ],
        "count": result.count,
    }
