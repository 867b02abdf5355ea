"""User-scoped reads of returnees. A person outside the user's scope is "not found".

A person is visible to a user when they have a case the user reaches, or — for roles that read
identity across an office scope (coordinator, M&E, finance, and case managers for duplicate
checks) — when they were registered at an office in that scope.
"""

import difflib
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from reintegra.access.policy import Level, Reach, Tier
from reintegra.access.principal import principal
from reintegra.access.scoping import NOTHING, grant_case_q
from reintegra.accounts.choices import Role
from reintegra.audit.services import record_access
from reintegra.people.choices import ConsentPurpose
from reintegra.people.models import Consent, Returnee, normalise, normalise_phone


def _registration_offices(user: Any) -> frozenset[int]:
    """Offices whose registered people the user may see even without a case."""
    p = principal(user)
    ids: set[int] = set()
    for g in p.grants:
        if g.level(Tier.IDENTITY) < Level.PARTIAL:
            continue
        if g.reach == Reach.SCOPE:
            ids |= g.office_ids
        elif g.role == Role.CASE_MANAGER and g.office_id:
            # Case managers see the people registered at their own office (not below it).
            ids.add(g.office_id)
    return frozenset(ids)


def returnee_visible_to(user: Any) -> QuerySet[Returnee]:
    """Every returnee the user may know of.

    A person's `office` is the office responsible for them (the case services move it with the
    case), so roles that reach every case of their scope need no look at the cases: one indexed
    column decides. Roles that reach only some cases (assigned, flagged) add those cases' people.
    """
    p = principal(user)
    offices = _registration_offices(user)
    condition = NOTHING
    if offices:
        condition |= Q(office_id__in=sorted(offices))
    communication = p.offices(Role.COMMS_FP)
    if communication:
        # The communication focal point knows the people who consented to communication.
        consenting = Consent.objects.filter(
            purpose=ConsentPurpose.COMMUNICATION, withdrawn_on__isnull=True
        ).values("person_id")
        condition |= Q(office_id__in=sorted(communication), pk__in=consenting)
    partial = NOTHING
    for grant in p.grants:
        if grant.reach not in (Reach.SCOPE, Reach.NONE):
            partial |= grant_case_q(grant, user.pk)
    if partial is not NOTHING:
        # The cases model is reached through the relation: people may not import the cases app.
        case_model = Returnee._meta.get_field("cases").related_model
        reached = case_model._default_manager.filter(partial).values("person_id")
        condition |= Q(pk__in=reached)
    return Returnee.objects.filter(condition)


def returnee_get_for_user(user: Any, pk: Any) -> Returnee:
    """The returnee, or Http404 when missing or outside the user's scope.

    An attempt on an existing person out of scope is recorded as `person.denied`.
    """
    try:
        person_id = int(pk)
    except (ValueError, TypeError):
        raise Http404 from None
    person = returnee_visible_to(user).select_related("office").filter(pk=person_id).first()
    if person is None:
        if Returnee.objects.filter(pk=person_id).exists():
            record_access(actor=user, action="person.denied", person_id=person_id)
        raise Http404
    return person


def consent_get_for_user(user: Any, pk: Any) -> Consent:
    """A consent of a person visible to the user, or Http404."""
    try:
        consent_id = int(pk)
    except (ValueError, TypeError):
        raise Http404 from None
    consent = (
        Consent.objects.select_related("person")
        .filter(pk=consent_id, person__in=returnee_visible_to(user))
        .first()
    )
    if consent is None:
        raise Http404
    return consent


def returnee_list_for_user(user: Any, *, query: str = "", office: Any = None) -> QuerySet[Returnee]:
    """Search by name (contains, accents ignored) or phone digits, newest first."""
    qs = returnee_visible_to(user).select_related("office")
    text = normalise(query)
    if text:
        digits = normalise_phone(query)
        condition = Q(name_key__contains=text)
        if len(digits) >= 6:
            condition |= Q(phone_key__contains=digits)
        qs = qs.filter(condition)
    if office:
        qs = qs.filter(office_id=office)
    return qs.order_by("family_key", "name_key", "id")


@dataclass
class Match:
    person: Returnee
    score: float
    reasons: list[str]


def returnee_possible_duplicates(
    user: Any,
    *,
    given_names: str,
    family_name: str,
    date_of_birth: date | None = None,
    nationality: str = "",
    exclude_pk: int | None = None,
    limit: int = 5,
) -> list[Match]:
    """Possible matches within the user's scope: same or similar name, birth date, nationality."""
    family = normalise(family_name)
    given = normalise(given_names)
    if not family and not given:
        return []
    candidates = Q(family_key=family) if family else NOTHING
    if len(family) >= 3:
        candidates |= Q(family_key__startswith=family[:3])
    if given and len(given) >= 3:
        candidates |= Q(name_key__startswith=given[:3]) & Q(family_key__startswith=family[:1])
    if date_of_birth:
        candidates |= Q(date_of_birth=date_of_birth)
    qs = returnee_visible_to(user).filter(candidates)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    target = f"{given} {family}".strip()
    matches = []
    for person in qs.select_related("office")[:500]:
        name_score = difflib.SequenceMatcher(None, target, person.name_key).ratio()
        reasons = []
        score = name_score
        if name_score >= 0.99:
            reasons.append("name")
        elif name_score >= 0.8:
            reasons.append("similar_name")
        if date_of_birth and person.date_of_birth == date_of_birth:
            reasons.append("date_of_birth")
            score += 0.5
        if nationality and person.nationality == nationality.upper() and reasons:
            reasons.append("nationality")
            score += 0.1
        if name_score >= 0.8 or (
            date_of_birth and person.date_of_birth == date_of_birth and name_score >= 0.6
        ):
            matches.append(Match(person, score, reasons))
    matches.sort(key=lambda m: -m.score)
    return matches[:limit]


def consent_list(person: Returnee) -> QuerySet[Consent]:
    return person.consents.select_related("obtained_by").order_by("-given_on", "-id")


def consent_valid_for(person: Returnee, purpose: str, partner_name: str = "") -> Consent | None:
    """The current consent for a purpose (and partner, for partner sharing), or None."""
    qs = person.consents.filter(purpose=purpose, withdrawn_on__isnull=True)
    if purpose == ConsentPurpose.PARTNER_SHARING and partner_name:
        qs = qs.filter(partner_name__iexact=partner_name)
    return next((c for c in qs.order_by("-given_on") if c.is_valid), None)
