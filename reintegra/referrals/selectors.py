"""User-scoped reads of referrals: lists, one referral, the services a returnee fits, home-page
work (overdue, escalated, to review, referred to me), provider links, and statistics."""

import statistics
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from reintegra.access.policy import Level, Reach, Tier
from reintegra.access.principal import principal
from reintegra.access.scoping import grant_case_q
from reintegra.accounts.choices import Role, Specialisation
from reintegra.accounts.models import RoleAssignment
from reintegra.audit.services import record_access
from reintegra.cases.models import Case
from reintegra.cases.permissions import CaseAccess, case_access, case_access_many
from reintegra.cases.selectors import case_visible_to
from reintegra.providers.choices import Category
from reintegra.providers.models import Service
from reintegra.referrals import permissions
from reintegra.referrals.choices import OPEN_STATES, Kind, Recipient, State
from reintegra.referrals.models import Referral, ReferralLink, escalate_before
from reintegra.referrals.services import fit_problems, token_hash

HOME_LIMIT = 10
# The home page reads at most this many referrals for its four lists.
HOME_SCAN = 200
ROW_RELATED = ("case", "case__person", "case__office", "provider", "service", "recipient_user")


@dataclass
class Row:
    """A referral as a list shows it: details only for those who may read them."""

    referral: Referral
    readable: bool
    access: CaseAccess | None = None


def _recipient_q(user: Any) -> Q:
    """Internal referrals waiting for the user as recipient (named, or by role in scope)."""
    q = Q(kind=Kind.INTERNAL, recipient_user_id=user.pk)
    for recipient in Recipient.values:
        offices = set()
        for g in permissions.recipient_grants(user, recipient):
            offices |= g.office_ids
        if offices:
            q |= Q(
                kind=Kind.INTERNAL,
                recipient=recipient,
                recipient_user__isnull=True,
                case__office_id__in=sorted(offices),
            )
    return q & ~Q(state=State.DRAFT)


def _known_q(user: Any) -> Q:
    """Referrals the user may know of through their roles: for each role assignment, on the
    cases it reaches, case-tier referrals when it reads case files and restricted ones when
    it knows of their tier (the policy's own levels; `rows_for` then decides what shows)."""
    q = Q(pk__in=[])
    for g in principal(user).grants:
        tiers = [Tier.CASE] if g.level(Tier.CASE) >= Level.READ else []
        tiers += [t for t in permissions.RESTRICTED if g.level(t) >= Level.FLAG]
        if tiers and g.reach == Reach.SCOPE:  # every case of the offices: a plain join
            q |= Q(case__office_id__in=sorted(g.office_ids), tier__in=tiers)
        elif tiers:
            cases = Case.objects.filter(grant_case_q(g, user.pk)).values("pk")
            q |= Q(case__in=cases, tier__in=tiers)
    return q


def referral_visible_to(user: Any) -> QuerySet[Referral]:
    """Referrals the user may know of on the cases they reach, and those addressed to them."""
    return Referral.objects.filter(_known_q(user) | _recipient_q(user))


def rows_for(user: Any, referrals: list[Referral]) -> list[Row]:
    """Rows the user may know of (restricted ones bare); others are left out."""
    cases = {r.case_id: r.case for r in referrals}
    accesses = case_access_many(user, list(cases.values())) if cases else {}
    rows = []
    for r in referrals:
        access = accesses.get(r.case_id)
        reaches = access is not None and access.can_view
        if reaches and permissions.can_read(access, r):  # type: ignore[arg-type]
            rows.append(Row(r, True, access))
        elif permissions.is_recipient(user, r):
            rows.append(Row(r, True, access if reaches else None))
        elif reaches and permissions.knows_of(access, r):  # type: ignore[arg-type]
            rows.append(Row(r, False, access))
    return rows


@dataclass
class ReferralFilters:
    state: str = ""
    when: str = ""  # "", "open", "overdue", "mine", "to_me"
    case: int | None = None


def referral_list(user: Any, filters: ReferralFilters | None = None) -> QuerySet[Referral]:
    f = filters or ReferralFilters()
    qs = referral_visible_to(user).select_related(*ROW_RELATED)
    if f.case:
        qs = qs.filter(case_id=f.case)
    if f.state in State.values:
        qs = qs.filter(state=f.state)
    if f.when == "open":
        qs = qs.filter(state__in=OPEN_STATES)
    elif f.when == "overdue":
        qs = qs.filter(
            state=State.SENT,
            acknowledged_at__isnull=True,
            acknowledge_by__lt=timezone.localdate(),
        )
    elif f.when == "mine":
        qs = qs.filter(created_by=user)
    elif f.when == "to_me":
        qs = qs.filter(_recipient_q(user), state__in=OPEN_STATES)
    return qs.order_by("-created_at", "-id")


def referral_get_for_user(user: Any, pk: Any) -> tuple[Referral, CaseAccess | None, bool]:
    """(referral, the user's access to its case or None, whether they read its details).

    404 when missing, out of scope, or a restricted referral the user may not even know of.
    Reading the details is recorded (`referral.viewed`), and so is a refusal of an existing
    referral (`referral.denied`)."""
    try:
        referral_id = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    referral = (
        Referral.objects.select_related(*ROW_RELATED, "created_by", "consent")
        .filter(pk=referral_id)
        .first()
    )
    if referral is None:
        raise Http404
    case = (
        case_visible_to(user)
        .select_related("person", "office", "lead")
        .filter(pk=referral.case_id)
        .first()
    )
    access = case_access(user, case) if case is not None else None
    if case is not None:
        referral.case = case
    readable = (access is not None and permissions.can_read(access, referral)) or (
        permissions.is_recipient(user, referral)
    )
    known = readable or (access is not None and permissions.knows_of(access, referral))
    if readable or not known:
        record_access(
            actor=user,
            action="referral.viewed" if readable else "referral.denied",
            target=referral,
            case_id=referral.case_id,
            person_id=referral.case.person_id,
        )
    if not known:
        raise Http404
    return referral, access, readable


def case_referrals(user: Any, access: CaseAccess) -> list[Row]:
    referrals = list(
        Referral.objects.filter(case=access.case)
        .select_related("provider", "service", "recipient_user")
        .order_by("-created_at", "-id")
    )
    for r in referrals:
        r.case = access.case
    return [
        Row(r, permissions.can_read(access, r), access)
        for r in referrals
        if permissions.knows_of(access, r)
    ]


def fitting_services(case: Case, category: str = "", q: str = "") -> list[Service]:
    """Active services whose provider's catchment and whose eligibility fit the returnee
    (stale providers included: the form marks them), by category, provider and service."""
    qs = Service.objects.filter(is_active=True, provider__is_active=True).select_related("provider")
    if category:
        qs = qs.filter(category=category)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(provider__name__icontains=q))
    ordered = qs.order_by("category", "provider__name", "name")
    return [s for s in ordered if not fit_problems(s, case.person)]


# --- home page ------------------------------------------------------------------------------


def home_referrals(user: Any) -> dict[str, list[Row]]:
    """The home page's referral work, in one query: `overdue` (the user's referrals, or their
    cases', waiting past the acknowledgement date), `to_me` (internal referrals waiting for the
    user or their role), and for coordinators `escalated` (overdue in scope beyond the
    escalation delay) and `to_review` (referrals without consent not yet reviewed). Rows the
    user may not read are left out, except restricted ones under `to_review` / `escalated`."""
    overdue = Q(
        state=State.SENT, acknowledged_at__isnull=True, acknowledge_by__lt=timezone.localdate()
    )
    sections: dict[str, Q] = {
        # Made by the user or on a case they lead (rows_for keeps those they may still read).
        "overdue": overdue & (Q(created_by=user) | Q(case__lead=user)),
        "to_me": _recipient_q(user) & Q(state__in=OPEN_STATES),
    }
    coordinated = principal(user).offices(Role.COORDINATOR)
    if coordinated:
        scope = Q(case__office_id__in=sorted(coordinated))
        sections["escalated"] = scope & overdue & Q(acknowledge_by__lt=escalate_before())
        sections["to_review"] = (
            scope
            & Q(override_reviewed_at__isnull=True)
            & ~Q(override_ground="")
            & ~Q(state=State.DRAFT)
        )
    either = Q(pk__in=[])
    for q in sections.values():
        either |= q
    flags = {
        f"in_{key}": ExpressionWrapper(q, output_field=BooleanField())
        for key, q in sections.items()
    }
    found = list(
        Referral.objects.filter(either)
        .annotate(**flags)
        .select_related(*ROW_RELATED)
        .order_by("acknowledge_by", "id")[:HOME_SCAN]
    )
    rows = rows_for(user, found)
    result: dict[str, list[Row]] = {
        key: [] for key in ("overdue", "to_me", "escalated", "to_review")
    }
    for row in rows:
        for key in sections:
            wanted = row.readable or key in ("escalated", "to_review")
            if getattr(row.referral, f"in_{key}") and wanted and len(result[key]) < HOME_LIMIT:
                result[key].append(row)
    return result


def overdue_sent_by(user: Any) -> list[Referral]:
    return [row.referral for row in home_referrals(user)["overdue"]]


def escalated_for(user: Any) -> list[Row]:
    return home_referrals(user)["escalated"]


def overrides_to_review(user: Any) -> list[Row]:
    return home_referrals(user)["to_review"]


def referred_to(user: Any) -> list[Row]:
    return home_referrals(user)["to_me"]


# --- provider links -------------------------------------------------------------------------


class LinkGone(Exception):
    """The link exists but expired or was revoked."""


def link_resolve(token: str) -> ReferralLink:
    """The live link of a token: Http404 when unknown, LinkGone when expired or revoked."""
    if not token or len(token) > 100:
        raise Http404
    link = (
        ReferralLink.objects.select_related(
            "referral", "referral__case", "referral__provider", "referral__service"
        )
        .filter(token_hash=token_hash(token))
        .first()
    )
    if link is None:
        raise Http404
    if not link.is_live or link.referral.state in (State.CLOSED, State.CANCELLED, State.DRAFT):
        raise LinkGone
    return link


def links_of(referral: Referral) -> QuerySet[ReferralLink]:
    return referral.links.select_related("created_by", "revoked_by").order_by("-created_at")


# --- statistics -----------------------------------------------------------------------------


def _days(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return (end - start).total_seconds() / 86400


@dataclass
class StatRow:
    key: str
    label: str
    sent: int = 0
    accepted: int = 0
    declined: int = 0
    delivered: int = 0
    not_delivered: int = 0
    overdue: int = 0
    acknowledge: list[float] = field(default_factory=list)
    deliver: list[float] = field(default_factory=list)

    @property
    def median_acknowledge(self) -> float | None:
        return round(statistics.median(self.acknowledge), 1) if self.acknowledge else None

    @property
    def median_deliver(self) -> float | None:
        return round(statistics.median(self.deliver), 1) if self.deliver else None

    def add(self, r: Any, today: Any) -> None:
        """Count one referral (a row of STAT_FIELDS)."""
        self.sent += 1
        self.accepted += r.answer == State.ACCEPTED
        self.declined += r.answer == State.DECLINED
        self.delivered += r.result == State.DELIVERED
        self.not_delivered += r.result == State.NOT_DELIVERED
        self.overdue += (
            r.state == State.SENT
            and r.acknowledged_at is None
            and r.acknowledge_by is not None
            and r.acknowledge_by < today
        )
        acknowledged = _days(r.sent_at, r.acknowledged_at)
        if acknowledged is not None:
            self.acknowledge.append(acknowledged)
        delivered = _days(r.sent_at, r.delivered_at)
        if delivered is not None and r.result == State.DELIVERED:
            self.deliver.append(delivered)


# What the statistics read of each referral (plain rows: they may count a hundred thousand).
STAT_FIELDS = (
    "provider_id",
    "provider__name",
    "recipient",
    "category",
    "state",
    "sent_at",
    "acknowledge_by",
    "acknowledged_at",
    "answer",
    "result",
    "delivered_at",
)


def referral_statistics(
    user: Any, *, since: Any = None, until: Any = None
) -> tuple[list[StatRow], list[StatRow]]:
    """Sent, accepted, delivered and median days to acknowledge and to deliver, by provider
    and by category, over referrals sent from the offices the user sees statistics for.
    Counts only: no personal data (medical referrals count like the others)."""
    offices = permissions.statistics_offices(user)
    if not offices:
        return [], []
    qs = Referral.objects.filter(case__office_id__in=sorted(offices), sent_at__isnull=False)
    if since:
        qs = qs.filter(sent_at__date__gte=since)
    if until:
        qs = qs.filter(sent_at__date__lte=until)
    by_provider: dict[str, StatRow] = {}
    by_category: dict[str, StatRow] = {}
    labels = dict(Category.choices) | dict(Recipient.choices)
    today = timezone.localdate()
    for r in qs.values_list(*STAT_FIELDS, named=True).iterator(chunk_size=5000):
        if r.provider_id is not None:
            key, label = f"p{r.provider_id}", r.provider__name
        else:
            key, label = f"r{r.recipient}", str(labels.get(r.recipient, r.recipient))
        category_label = str(labels.get(r.category, r.category))
        for row in (
            by_provider.setdefault(key, StatRow(key, label)),
            by_category.setdefault(r.category, StatRow(r.category, category_label)),
        ):
            row.add(r, today)
    return _ordered(by_provider), _ordered(by_category)


def _ordered(rows: dict[str, StatRow]) -> list[StatRow]:
    return sorted(rows.values(), key=lambda row: (-row.sent, row.label))


# --- internal recipients --------------------------------------------------------------------

RECIPIENT_ROLES = {
    Recipient.PROTECTION_FP: Q(role=Role.PROTECTION_FP),
    Recipient.MEDICAL_FP: Q(role=Role.MEDICAL_FP),
    Recipient.PSYCHOSOCIAL: Q(role=Role.CASE_MANAGER, specialisation=Specialisation.PSYCHOSOCIAL),
}


def recipient_people(case: Case) -> list[tuple[str, str]]:
    """Staff who receive internal referrals for the case's office: ("id", "name — role")."""
    today = timezone.localdate()
    role_q = Q(pk__in=[])
    for q in RECIPIENT_ROLES.values():
        role_q |= q
    assignments = (
        RoleAssignment.objects.filter(role_q, is_active=True, office_id__in=case.office.line_ids)
        .exclude(expires_on__lt=today)
        .select_related("user")
        .order_by("user__last_name", "user__username")
    )
    seen: dict[int, tuple[str, str]] = {}
    for a in assignments:
        if a.user.is_active and a.user_id not in seen:
            seen[a.user_id] = (str(a.user_id), f"{a.user} — {a.get_role_display()}")
    return list(seen.values())
