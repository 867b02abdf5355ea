"""API: cash instalments and their payments. Same selectors, services and predicates as the
pages: an instalment or plan out of scope answers 404, a forbidden move on a visible instalment
403, a stale version 409 (and so does paying an instalment already paid), and what the services
refuse 422 with their code (`above_measure`, `maker_checker`, `invalid_transition`,
`not_committed`, `plan_not_in_force`…).

Who lists: `GET /instalments` without `plan` is the payment desk of the finance staff and the
coordinators (403 for other roles); with `plan`, anyone who reads that plan's lines (its case
manager, M&E) lists its instalments. The payment instruction's payee and account are answered
to those who pay or follow payments and to the case's manager; to others (M&E) they are null.

In-kind purchases (`/suppliers`, `/purchases`, `/plans/{id}/purchases`): the supplier register
is read by finance staff and coordinators and kept by finance staff, who alone see its bank
details (null for others); purchases are listed by those who follow payments, read by whoever
reads the plan's lines, and moved by the finance staff reaching the case (403 otherwise). The
hand-over certificate is summarised, never with the signature itself.

Amounts are answered as strings (`"50000.00"`) and accepted as numbers or strings."""

from datetime import date, datetime
from typing import Annotated, Any

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict, StringConstraints

from reintegra.accounts.api import user_ref
from reintegra.cases.permissions import CaseAccess
from reintegra.core.api import ERRORS, Id, PathId, Ref, Text
from reintegra.core.errors import Conflict, NotAllowed, StaleVersion, ValidationFailed
from reintegra.core.pagination import paginate
from reintegra.finance import permissions, selectors, services
from reintegra.finance.choices import TRANSITIONS, InstalmentStatus, PurchaseStatus
from reintegra.finance.models import Instalment, PurchaseRequest, Supplier
from reintegra.finance.services.cash import INSTALMENT_MOVES
from reintegra.finance.services.purchases import SIGNATURE_MAX
from reintegra.plans.api import Amount, Name, TypeRef, Version
from reintegra.plans.selectors import plan_get_for_user

router = Router(tags=["finance"])

# The moves of POST /instalments/{id}/transitions.
MOVES = tuple(INSTALMENT_MOVES)


class InstalmentOut(Schema):
    """`payee` and `account` are null for those who only read the plan's lines."""

    id: int
    plan: int
    case: int
    case_number: str
    measure: int
    assistance_type: TypeRef
    amount: str
    currency: str
    milestone: str
    due_on: date | None
    status: str
    method: str
    payee: str | None
    account: str | None
    reference: str
    cancel_reason: str
    created_by: Ref | None
    prepared_by: Ref | None
    prepared_at: datetime | None
    approved_by: Ref | None
    approved_at: datetime | None
    paid_by: Ref | None
    paid_at: datetime | None
    version: int


class InstalmentPage(Schema):
    items: list[InstalmentOut]
    count: int


class InstalmentQuery(Schema):
    step: Text = Field(
        "all", max_length=16, description="to_prepare, to_approve, to_pay, paid or all"
    )
    plan: Id | None = Field(None, description="The instalments of one plan")
    page: int = 1


class InstalmentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    measure: Id = Field(..., description="A cash measure of the plan")
    amount: Amount
    milestone: Annotated[Text, StringConstraints(max_length=200)] = Field(
        ..., description="What releases the instalment"
    )
    due_on: date | None = None


class TransitionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    to: Annotated[Text, StringConstraints(max_length=16)] = Field(
        ...,
        description="PREPARED (method, payee; account unless CASH), APPROVED (another finance "
        "user than the preparer), PAID (reference) or CANCELLED (reason)",
    )
    version: Version | None = None
    method: Annotated[Text, StringConstraints(max_length=16)] = Field(
        "", description="MOBILE_MONEY, BANK or CASH"
    )
    payee: Annotated[Text, StringConstraints(max_length=200)] = ""
    account: Annotated[Text, StringConstraints(max_length=64)] = ""
    reference: Annotated[Text, StringConstraints(max_length=100)] = ""
    reason: Annotated[Text, StringConstraints(max_length=4000)] = ""


def _detailed(user: Any, access: CaseAccess) -> bool:
    """Who sees the payment instruction: finance staff and coordinators, and the case's
    manager."""
    return permissions.can_view_payments(user) or access.can_edit


def instalment_out(instalment: Instalment, detailed: bool) -> dict[str, Any]:
    plan = instalment.plan
    kind = instalment.measure.assistance_type
    return {
        "id": instalment.pk,
        "plan": instalment.plan_id,
        "case": plan.case_id,
        "case_number": plan.case.number,
        "measure": instalment.measure_id,
        "assistance_type": {"id": kind.pk, "code": kind.code, "name": kind.name},
        "amount": str(instalment.amount),
        "currency": plan.currency,
        "milestone": instalment.milestone,
        "due_on": instalment.due_on,
        "status": instalment.status,
        "method": instalment.method,
        "payee": instalment.payee if detailed else None,
        "account": instalment.account if detailed else None,
        "reference": instalment.reference,
        "cancel_reason": instalment.cancel_reason,
        "created_by": user_ref(instalment.created_by),
        "prepared_by": user_ref(instalment.prepared_by),
        "prepared_at": instalment.prepared_at,
        "approved_by": user_ref(instalment.approved_by),
        "approved_at": instalment.approved_at,
        "paid_by": user_ref(instalment.paid_by),
        "paid_at": instalment.paid_at,
        "version": instalment.version,
    }


def _fresh(user: Any, instalment_id: int) -> dict[str, Any]:
    instalment, access = selectors.instalment_get_for_user(user, instalment_id)
    return instalment_out(instalment, _detailed(user, access))


@router.get("/instalments", response={200: InstalmentPage, **ERRORS})
def instalment_index(request: HttpRequest, params: Query[InstalmentQuery]) -> dict[str, Any]:
    """The payment desk: instalments in the user's scope waiting for a step (`to_prepare`,
    `to_approve`, `to_pay`), `paid` (latest first) or `all` (by due date). Finance staff and
    coordinators only (403), unless `plan` is given: then whoever reads that plan's lines
    (404 when out of scope)."""
    user = request.user
    if params.step not in selectors.PAYMENT_STEPS:
        raise ValidationFailed(
            _("Choose a step: to_prepare, to_approve, to_pay, paid or all."), field="step"
        )
    plan = None
    detailed = permissions.can_view_payments(user)
    if params.plan is not None:
        plan, access, _readable = plan_get_for_user(user, params.plan)
        detailed = _detailed(user, access)
    elif not detailed:
        raise NotAllowed(_("Your role does not follow payments."))
    instalments = selectors.instalment_list(user, step=params.step, plan=plan).select_related(
        "created_by", "paid_by"
    )
    result = paginate(instalments, params.page)
    return {"items": [instalment_out(i, detailed) for i in result.items], "count": result.count}


@router.post("/plans/{plan_id}/instalments", response={201: InstalmentOut, **ERRORS})
def instalment_create(
    request: HttpRequest, plan_id: PathId, payload: InstalmentIn
) -> Status[dict[str, Any]]:
    """Plan an instalment of an approved plan's cash measure, tied to a milestone (the case's
    manager; 403 otherwise or when the plan is not approved). The measure's instalments never
    exceed its cost (422 `above_measure`)."""
    user = request.user
    plan, access, _readable = plan_get_for_user(user, plan_id)
    if not permissions.can_plan_instalments(access, plan):
        raise NotAllowed(
            _("The case's manager plans instalments, on an approved plan."),
        )
    measure = plan.measures.filter(pk=payload.measure).first()
    if measure is None:
        raise ValidationFailed(_("Choose a cash measure of this plan."), field="measure")
    instalment = services.instalment_add(
        actor=user,
        plan=plan,
        measure=measure,
        amount=payload.amount,
        milestone=payload.milestone,
        due_on=payload.due_on,
    )
    return Status(201, _fresh(user, instalment.pk))


@router.get("/instalments/{instalment_id}", response={200: InstalmentOut, **ERRORS})
def instalment_detail(request: HttpRequest, instalment_id: PathId) -> dict[str, Any]:
    """An instalment of a plan whose lines the user reads."""
    return _fresh(request.user, instalment_id)


@router.post("/instalments/{instalment_id}/transitions", response={200: InstalmentOut, **ERRORS})
def instalment_transition(
    request: HttpRequest, instalment_id: PathId, payload: TransitionIn
) -> dict[str, Any]:
    """PREPARED (finance: `method`, `payee`, `account` unless CASH), APPROVED (a finance user
    who did not prepare it), PAID (finance: `reference`; spends the plan's commitment on its
    budget line) or CANCELLED (`reason`; finance, or the case's manager while it is planned).
    Carries the instalment's `version`: a stale one answers 409, and so does an instalment
    already paid; a move that does not apply to its status 422 `invalid_transition`."""
    user = request.user
    if payload.to not in MOVES:
        raise ValidationFailed(
            _("Move the instalment to PREPARED, APPROVED, PAID or CANCELLED."), field="to"
        )
    instalment, access = selectors.instalment_get_for_user(user, instalment_id)
    if instalment.status == InstalmentStatus.PAID:
        raise Conflict(_("This instalment is already paid."))
    if payload.version is not None and payload.version != instalment.version:
        raise StaleVersion(_("This instalment was changed by someone else. Reload and try again."))
    if payload.to not in TRANSITIONS.get(instalment.status, ()):
        raise ValidationFailed(
            _("The instalment is %(status)s: this step does not apply.")
            % {"status": instalment.get_status_display().lower()},
            code="invalid_transition",
        )
    if not permissions.can_move(user, access, instalment, payload.to):
        if payload.to == InstalmentStatus.APPROVED and permissions.pays(access):
            raise NotAllowed(
                _("You prepared this payment: another finance user approves it."),
                code="maker_checker",
            )
        raise NotAllowed(_("You may not move this instalment."))
    services.instalment_move(
        actor=user,
        instalment=instalment,
        to=payload.to,
        version=payload.version,
        method=payload.method,
        payee=payload.payee,
        account=payload.account,
        reference=payload.reference,
        reason=payload.reason,
    )
    return _fresh(user, instalment.pk)


# --- in-kind: the supplier register -----------------------------------------------------------


class SupplierOut(Schema):
    """`bank_name`, `bank_account` and `mobile_money` are null for those who do not keep the
    register."""

    id: int
    name: str
    goods: str
    region: str
    address: str
    phone: str
    email: str
    contact_person: str
    bank_name: str | None
    bank_account: str | None
    mobile_money: str | None
    is_active: bool
    version: int


class SupplierPage(Schema):
    items: list[SupplierOut]
    count: int


class SupplierQuery(Schema):
    active: bool = Field(False, description="Active suppliers only")
    page: int = 1


Text40 = Annotated[Text, StringConstraints(max_length=40)]
Text64 = Annotated[Text, StringConstraints(max_length=64)]
Text100 = Annotated[Text, StringConstraints(max_length=100)]
Text150 = Annotated[Text, StringConstraints(max_length=150)]
Text254 = Annotated[Text, StringConstraints(max_length=254)]
Text255 = Annotated[Text, StringConstraints(max_length=255)]
Text300 = Annotated[Text, StringConstraints(max_length=300)]


class SupplierIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: Name
    goods: Text300 = ""
    region: Text100 = ""
    address: Text255 = ""
    phone: Text40 = ""
    email: Text254 = ""
    contact_person: Text150 = ""
    bank_name: Text150 = ""
    bank_account: Text64 = ""
    mobile_money: Text40 = ""
    is_active: bool = True


class SupplierPatch(Schema):
    """Only the fields given change."""

    model_config = ConfigDict(extra="forbid")

    version: Version
    name: Name | None = None
    goods: Text300 | None = None
    region: Text100 | None = None
    address: Text255 | None = None
    phone: Text40 | None = None
    email: Text254 | None = None
    contact_person: Text150 | None = None
    bank_name: Text150 | None = None
    bank_account: Text64 | None = None
    mobile_money: Text40 | None = None
    is_active: bool | None = None


def supplier_out(supplier: Supplier, banking: bool) -> dict[str, Any]:
    return {
        "id": supplier.pk,
        "name": supplier.name,
        "goods": supplier.goods,
        "region": supplier.region,
        "address": supplier.address,
        "phone": supplier.phone,
        "email": supplier.email,
        "contact_person": supplier.contact_person,
        "bank_name": supplier.bank_name if banking else None,
        "bank_account": supplier.bank_account if banking else None,
        "mobile_money": supplier.mobile_money if banking else None,
        "is_active": supplier.is_active,
        "version": supplier.version,
    }


@router.get("/suppliers", response={200: SupplierPage, **ERRORS})
def supplier_index(request: HttpRequest, params: Query[SupplierQuery]) -> dict[str, Any]:
    """The supplier register (finance staff and coordinators; 403 otherwise), by name; `active`
    lists the active ones only. Bank details for the finance staff only."""
    user = request.user
    if not permissions.can_view_suppliers(user):
        raise NotAllowed(_("Your role does not see the supplier register."))
    banking = permissions.can_manage_suppliers(user)
    result = paginate(selectors.supplier_list(active_only=params.active), params.page)
    return {"items": [supplier_out(s, banking) for s in result.items], "count": result.count}


@router.post("/suppliers", response={201: SupplierOut, **ERRORS})
def supplier_create(request: HttpRequest, payload: SupplierIn) -> Status[dict[str, Any]]:
    """Add a supplier to the register (finance staff; 403 otherwise)."""
    user = request.user
    if not permissions.can_manage_suppliers(user):
        raise NotAllowed(_("The finance staff keep the supplier register."))
    supplier = services.supplier_save(actor=user, **payload.model_dump())
    return Status(201, supplier_out(supplier, True))


@router.patch("/suppliers/{supplier_id}", response={200: SupplierOut, **ERRORS})
def supplier_update(
    request: HttpRequest, supplier_id: PathId, payload: SupplierPatch
) -> dict[str, Any]:
    """Change a supplier (finance staff; 403 otherwise): only the fields given. Carries the
    supplier's `version`; a stale one answers 409."""
    user = request.user
    if not permissions.can_manage_suppliers(user):
        raise NotAllowed(_("The finance staff keep the supplier register."))
    supplier = selectors.supplier_list().filter(pk=supplier_id).first()
    if supplier is None:
        raise Http404
    fields = {
        k: getattr(payload, k)
        for k in payload.model_fields_set - {"version"}
        if getattr(payload, k) is not None
    }
    supplier = services.supplier_save(
        actor=user, supplier=supplier, version=payload.version, **fields
    )
    return supplier_out(supplier, True)


# --- in-kind: purchases -----------------------------------------------------------------------

# The moves of POST /purchases/{id}/transitions, and from where.
PURCHASE_MOVES: dict[str, tuple[str, ...]] = {
    PurchaseStatus.QUOTING: (PurchaseStatus.ORDERED, PurchaseStatus.CANCELLED),
    PurchaseStatus.ORDERED: (PurchaseStatus.RECEIVED, PurchaseStatus.CANCELLED),
    PurchaseStatus.RECEIVED: (PurchaseStatus.HANDED_OVER,),
    PurchaseStatus.HANDED_OVER: (),
    PurchaseStatus.CANCELLED: (),
}
PURCHASE_TARGETS = (
    PurchaseStatus.ORDERED,
    PurchaseStatus.RECEIVED,
    PurchaseStatus.HANDED_OVER,
    PurchaseStatus.CANCELLED,
)
PURCHASE_FILTERS = ("", "open", *PurchaseStatus.values)


class PurchaseRow(Schema):
    id: int
    reference: str
    plan: int
    case: int
    case_number: str
    measure: int
    assistance_type: TypeRef
    status: str
    estimated_total: str
    amount: str | None
    currency: str
    supplier: Ref | None
    order_number: str
    created_at: datetime
    version: int


class PurchasePage(Schema):
    items: list[PurchaseRow]
    count: int


class PurchaseLineOut(Schema):
    description: str
    quantity: str
    unit_cost: str
    cost: str


class QuotationOut(Schema):
    id: int
    supplier: Ref
    amount: str
    received_on: date
    notes: str
    added_by: Ref | None


class CertificateOut(Schema):
    """The hand-over certificate, without the signature itself."""

    number: str
    handed_over_on: date
    value: str
    signed_by: str
    items: list[dict[str, str]]
    signed_on_tablet: bool
    scan: int | None = Field(None, description="The signed scan among the case's documents")


class PurchaseOut(PurchaseRow):
    lines: list[PurchaseLineOut]
    quotations: list[QuotationOut]
    chosen: int | None
    justification: str
    requested_by: Ref | None
    ordered_by: Ref | None
    ordered_at: datetime | None
    received_on: date | None
    received_by: Ref | None
    received_note: str
    cancel_reason: str
    certificate: CertificateOut | None


class PurchaseQuery(Schema):
    status: Text = Field(
        "", max_length=16, description="QUOTING, ORDERED, RECEIVED, HANDED_OVER, CANCELLED or open"
    )
    page: int = 1


class PurchaseIn(Schema):
    model_config = ConfigDict(extra="forbid")

    measure: Id = Field(..., description="An in-kind measure of the plan")


class QuotationIn(Schema):
    model_config = ConfigDict(extra="forbid")

    supplier: Id
    amount: Amount
    received_on: date
    notes: Annotated[Text, StringConstraints(max_length=300)] = ""


class PurchaseTransitionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    to: Annotated[Text, StringConstraints(max_length=16)] = Field(
        ...,
        description="ORDERED (quotation, justification, order_number), RECEIVED (received_on, "
        "note), HANDED_OVER (handed_over_on, signed_by, signature: a PNG data URL) or "
        "CANCELLED (reason)",
    )
    version: Version | None = None
    quotation: Id | None = None
    justification: Annotated[Text, StringConstraints(max_length=4000)] = ""
    order_number: Annotated[Text, StringConstraints(max_length=50)] = ""
    received_on: date | None = None
    note: Annotated[Text, StringConstraints(max_length=4000)] = ""
    handed_over_on: date | None = None
    signed_by: Annotated[Text, StringConstraints(max_length=200)] = ""
    signature: Annotated[Text, StringConstraints(max_length=SIGNATURE_MAX)] = ""
    reason: Annotated[Text, StringConstraints(max_length=4000)] = ""


def _supplier_ref(supplier: Supplier | None) -> dict[str, Any] | None:
    return {"id": supplier.pk, "name": supplier.name} if supplier else None


def purchase_row(purchase: PurchaseRequest) -> dict[str, Any]:
    plan = purchase.plan
    kind = purchase.measure.assistance_type
    chosen = purchase.chosen
    return {
        "id": purchase.pk,
        "reference": purchase.reference,
        "plan": purchase.plan_id,
        "case": plan.case_id,
        "case_number": plan.case.number,
        "measure": purchase.measure_id,
        "assistance_type": {"id": kind.pk, "code": kind.code, "name": kind.name},
        "status": purchase.status,
        "estimated_total": str(purchase.estimated_total),
        "amount": None if purchase.amount is None else str(purchase.amount),
        "currency": plan.currency,
        "supplier": _supplier_ref(chosen.supplier if chosen else None),
        "order_number": purchase.order_number,
        "created_at": purchase.created_at,
        "version": purchase.version,
    }


def purchase_out(purchase: PurchaseRequest) -> dict[str, Any]:
    try:
        certificate = purchase.certificate
    except ObjectDoesNotExist:
        certificate = None
    return {
        **purchase_row(purchase),
        "lines": [
            {
                "description": line.description,
                "quantity": str(line.quantity),
                "unit_cost": str(line.unit_cost),
                "cost": str(line.cost),
            }
            for line in purchase.lines.all()
        ],
        "quotations": [
            {
                "id": q.pk,
                "supplier": _supplier_ref(q.supplier),
                "amount": str(q.amount),
                "received_on": q.received_on,
                "notes": q.notes,
                "added_by": user_ref(q.added_by),
            }
            for q in purchase.quotations.select_related("supplier", "added_by")
        ],
        "chosen": purchase.chosen_id,
        "justification": purchase.justification,
        "requested_by": user_ref(purchase.requested_by),
        "ordered_by": user_ref(purchase.ordered_by),
        "ordered_at": purchase.ordered_at,
        "received_on": purchase.received_on,
        "received_by": user_ref(purchase.received_by),
        "received_note": purchase.received_note,
        "cancel_reason": purchase.cancel_reason,
        "certificate": None
        if certificate is None
        else {
            "number": certificate.number,
            "handed_over_on": certificate.handed_over_on,
            "value": str(certificate.value),
            "signed_by": certificate.signed_by,
            "items": [{k: str(v) for k, v in item.items()} for item in (certificate.items or [])],
            "signed_on_tablet": bool(certificate.signature),
            "scan": certificate.scan_id,
        },
    }


def _purchase_fresh(user: Any, purchase_id: int) -> dict[str, Any]:
    purchase, _access = selectors.purchase_get_for_user(user, purchase_id)
    return purchase_out(purchase)


@router.get("/purchases", response={200: PurchasePage, **ERRORS})
def purchase_index(request: HttpRequest, params: Query[PurchaseQuery]) -> dict[str, Any]:
    """Purchases in the user's scope, latest first; `status` filters by a status or `open`
    (not yet handed over nor cancelled). Finance staff and coordinators only (403)."""
    user = request.user
    if params.status not in PURCHASE_FILTERS:
        raise ValidationFailed(
            _("Choose a status: QUOTING, ORDERED, RECEIVED, HANDED_OVER, CANCELLED or open."),
            field="status",
        )
    if not permissions.can_view_payments(user):
        raise NotAllowed(_("Your role does not follow purchases."))
    purchases = selectors.purchase_list(user, status=params.status)
    result = paginate(purchases, params.page)
    return {"items": [purchase_row(p) for p in result.items], "count": result.count}


@router.post("/plans/{plan_id}/purchases", response={201: PurchaseOut, **ERRORS})
def purchase_create(
    request: HttpRequest, plan_id: PathId, payload: PurchaseIn
) -> Status[dict[str, Any]]:
    """Start the purchase of an approved plan's in-kind measure (finance staff reaching the
    case; 403 otherwise); its lines are the measure's items. One open purchase per measure
    (409); a plan not approved answers 422 `not_approved`."""
    user = request.user
    plan, access, _readable = plan_get_for_user(user, plan_id)
    if not permissions.can_purchase(access):
        raise NotAllowed(_("The finance staff buy what a plan lists."))
    measure = plan.measures.filter(pk=payload.measure).first()
    if measure is None:
        raise ValidationFailed(_("Choose an in-kind measure of this plan."), field="measure")
    purchase = services.purchase_start(actor=user, plan=plan, measure=measure)
    return Status(201, _purchase_fresh(user, purchase.pk))


@router.get("/purchases/{purchase_id}", response={200: PurchaseOut, **ERRORS})
def purchase_detail(request: HttpRequest, purchase_id: PathId) -> dict[str, Any]:
    """A purchase of a plan whose lines the user reads: its lines, quotations, the quotation
    chosen and the hand-over certificate (without the signature)."""
    return _purchase_fresh(request.user, purchase_id)


@router.post("/purchases/{purchase_id}/quotations", response={201: PurchaseOut, **ERRORS})
def quotation_create(
    request: HttpRequest, purchase_id: PathId, payload: QuotationIn
) -> Status[dict[str, Any]]:
    """Record a supplier's quotation while the purchase collects them (finance staff; 403
    otherwise; 422 `invalid_transition` once ordered)."""
    user = request.user
    purchase, access = selectors.purchase_get_for_user(user, purchase_id)
    if not permissions.can_purchase(access):
        raise NotAllowed(_("You may not buy for this plan."))
    supplier = selectors.supplier_list().filter(pk=payload.supplier).first()
    if supplier is None:
        raise ValidationFailed(_("Choose a supplier of the register."), field="supplier")
    services.quotation_add(
        actor=user,
        request=purchase,
        supplier=supplier,
        amount=payload.amount,
        received_on=payload.received_on,
        notes=payload.notes,
    )
    return Status(201, _purchase_fresh(user, purchase.pk))


@router.post("/purchases/{purchase_id}/transitions", response={200: PurchaseOut, **ERRORS})
def purchase_transition(
    request: HttpRequest, purchase_id: PathId, payload: PurchaseTransitionIn
) -> dict[str, Any]:
    """ORDERED (`quotation` chosen, `justification`, `order_number`; above the threshold the
    minimum number of quotations, 422 `too_few_quotations`), RECEIVED (`received_on`, `note`;
    spends the plan's commitment: 422 `not_committed` or `plan_not_in_force`), HANDED_OVER
    (`handed_over_on`, `signed_by`, `signature` as a PNG data URL: 422 `unsigned` without one)
    or CANCELLED (`reason`; before the goods are received). Finance staff only (403). Carries
    the purchase's `version`: a stale one answers 409; a move that does not apply to its
    status 422 `invalid_transition`."""
    user = request.user
    if payload.to not in PURCHASE_TARGETS:
        raise ValidationFailed(
            _("Move the purchase to ORDERED, RECEIVED, HANDED_OVER or CANCELLED."), field="to"
        )
    purchase, access = selectors.purchase_get_for_user(user, purchase_id)
    if not permissions.can_purchase(access):
        raise NotAllowed(_("You may not buy for this plan."))
    version = payload.version
    if version is not None and version != purchase.version:
        raise StaleVersion(_("This purchase was changed by someone else. Reload and try again."))
    if payload.to not in PURCHASE_MOVES.get(purchase.status, ()):
        raise ValidationFailed(
            _("The purchase is %(status)s: this step does not apply.")
            % {"status": purchase.get_status_display().lower()},
            code="invalid_transition",
        )
    services.purchase_move(
        actor=user,
        request=purchase,
        to=payload.to,
        version=version,
        quotation=payload.quotation,
        justification=payload.justification,
        order_number=payload.order_number,
        received_on=payload.received_on,
        note=payload.note,
        handed_over_on=payload.handed_over_on,
        signed_by=payload.signed_by,
        signature=payload.signature,
        reason=payload.reason,
    )
    return _purchase_fresh(user, purchase.pk)
