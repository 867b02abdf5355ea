"""Writes on in-kind assistance: the supplier register, purchases (quotations, the supplier
chosen, the order, the goods received) and the hand-over certificate the returnee signs.
Receiving the goods spends the plan's commitment, as a cash payment does."""

import base64
import binascii
import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reintegra.access.policy import Tier
from reintegra.audit.services import record
from reintegra.cases.choices import DocumentType, EventKind
from reintegra.cases.services import case_event_record, document_attach
from reintegra.core.errors import Conflict, StaleVersion, ValidationFailed
from reintegra.finance.choices import PurchaseStatus
from reintegra.finance.models import (
    HandoverCertificate,
    PurchaseLine,
    PurchaseRequest,
    Quotation,
    Supplier,
)
from reintegra.finance.services.cash import lock_step, save_step, spend_commitment
from reintegra.plans.choices import DeliveryMode, Status
from reintegra.plans.models import Measure, Plan
from reintegra.plans.services import measure_delivered, money

# --- in-kind: suppliers, purchases, hand-over certificates ----------------------------------

SUPPLIER_FIELDS = frozenset(
    {
        "name",
        "goods",
        "region",
        "address",
        "phone",
        "email",
        "contact_person",
        "bank_name",
        "bank_account",
        "mobile_money",
        "is_active",
    }
)


@transaction.atomic
def supplier_save(
    *, actor: Any, supplier: Supplier | None = None, version: int | None = None, **fields: Any
) -> Supplier:
    """Add a supplier to the register or change one (with its `version`: a stale one raises
    StaleVersion). Audits `supplier.saved` (bank details masked)."""
    unknown = set(fields) - SUPPLIER_FIELDS
    if unknown:
        raise ValidationFailed(
            _("Unknown field: %(field)s") % {"field": ", ".join(sorted(unknown))}
        )
    if supplier is not None:
        supplier = Supplier.objects.select_for_update().get(pk=supplier.pk)
        if version is not None and supplier.version != version:
            raise StaleVersion(
                _("This supplier was changed by someone else. Reload and try again.")
            )
    name = fields.get("name", supplier.name if supplier else "")
    if not str(name or "").strip():
        raise ValidationFailed(_("Name the supplier."), field="name")
    if fields.get("email"):
        try:
            validate_email(fields["email"])
        except DjangoValidationError:
            raise ValidationFailed(_("Enter a valid email address."), field="email") from None
    if supplier is None:
        supplier = Supplier.objects.create(**fields)
    else:
        for key, value in fields.items():
            setattr(supplier, key, value)
        supplier.version += 1
        supplier.save()
    masked = {"bank_name", "bank_account", "mobile_money"}
    record(
        actor=actor,
        action="supplier.saved",
        target=supplier,
        changes={k: [None, "•••" if k in masked else str(v)] for k, v in fields.items()},
    )
    return supplier


def _min_quotations() -> tuple[Decimal, int]:
    return (
        Decimal(str(getattr(settings, "REINTEGRA_QUOTATIONS_ABOVE", "250000"))),
        int(getattr(settings, "REINTEGRA_MIN_QUOTATIONS", 3)),
    )


def _purchase_event(
    actor: Any, request: PurchaseRequest, action: str, summary: str, changes: dict[str, Any]
) -> None:
    plan = request.plan
    record(
        actor=actor,
        action=action,
        target=request,
        case_id=plan.case_id,
        person_id=plan.case.person_id,
        changes=changes,
    )
    case_event_record(
        actor=actor,
        case=plan.case,
        kind=EventKind.PLAN,
        summary=summary,
        tier=Tier.FINANCE,
        data={"purchase_id": request.pk, "status": request.status},
    )


@transaction.atomic
def purchase_start(*, actor: Any, plan: Plan, measure: Measure) -> PurchaseRequest:
    """A purchase request for an approved plan's in-kind measure, its lines taken from the
    measure's items (or the measure itself when it lists none). Audits `purchase.requested`."""
    locked = Plan.objects.select_for_update().select_related("case", "case__person").get(pk=plan.pk)
    if locked.status != Status.APPROVED:
        raise ValidationFailed(_("Purchases are made for an approved plan."), code="not_approved")
    if measure.plan_id != locked.pk or measure.delivery_mode != DeliveryMode.IN_KIND:
        raise ValidationFailed(_("Choose an in-kind measure of this plan."), field="measure")
    if measure.purchases.exclude(status=PurchaseStatus.CANCELLED).exists():
        raise Conflict(_("This measure is already being bought."))
    items = list(measure.items.all())
    lines = [(i.description, i.quantity, i.unit_cost) for i in items] or [
        (measure.description or measure.assistance_type.name, Decimal(1), measure.estimated_cost)
    ]
    # Numbered from the row's id (as cases are): a count would give two purchases started at
    # the same moment on different plans the same reference.
    request = PurchaseRequest.objects.create(
        reference=f"tmp-{uuid.uuid4().hex[:16]}",
        plan=locked,
        measure=measure,
        estimated_total=sum((q * u for _d, q, u in lines), start=Decimal(0)).quantize(
            Decimal("0.01")
        ),
        requested_by=actor,
    )
    request.reference = f"PR-{timezone.localdate():%Y}-{request.pk:05d}"
    request.save(update_fields=["reference"])
    PurchaseLine.objects.bulk_create(
        [PurchaseLine(request=request, description=d, quantity=q, unit_cost=u) for d, q, u in lines]
    )
    request.plan = locked
    _purchase_event(
        actor,
        request,
        "purchase.requested",
        _("Purchase %(ref)s requested: %(measure)s")
        % {"ref": request, "measure": measure.assistance_type.name},
        {"estimated_total": [None, str(request.estimated_total)]},
    )
    return request


def _lock_purchase(request: PurchaseRequest, version: int | None, expected: str) -> PurchaseRequest:
    locked: PurchaseRequest = lock_step(
        request,
        version,
        expected,
        stale=_("This purchase was changed by someone else. Reload and try again."),
        wrong_step=_("The purchase is %(status)s: this step does not apply."),
    )
    return locked


@transaction.atomic
def quotation_add(
    *,
    actor: Any,
    request: PurchaseRequest,
    supplier: Supplier,
    amount: Any,
    received_on: Any,
    notes: str = "",
) -> Quotation:
    """A supplier's quotation for the purchase. Audits `purchase.quotation_added`."""
    locked = _lock_purchase(request, None, PurchaseStatus.QUOTING)
    if not supplier.is_active:
        raise ValidationFailed(_("This supplier is no longer in the register."), field="supplier")
    if received_on is None:
        raise ValidationFailed(_("Give the date of the quotation."), field="received_on")
    quotation = Quotation.objects.create(
        request=locked,
        supplier=supplier,
        amount=money(amount, "amount", positive=True),
        received_on=received_on,
        notes=(notes or "").strip()[:300],
        added_by=actor,
    )
    locked.version += 1
    locked.save(update_fields=["version", "updated_at"])
    record(
        actor=actor,
        action="purchase.quotation_added",
        target=locked,
        case_id=locked.plan.case_id,
        changes={"supplier": [None, supplier.name], "amount": [None, str(quotation.amount)]},
    )
    return quotation


@transaction.atomic
def purchase_order(
    *,
    actor: Any,
    request: PurchaseRequest,
    quotation: Quotation,
    justification: str,
    order_number: str,
    version: int | None = None,
) -> PurchaseRequest:
    """Choose the supplier (with a justification; above REINTEGRA_QUOTATIONS_ABOVE at least
    REINTEGRA_MIN_QUOTATIONS quotations) and place the order. Audits `purchase.ordered`."""
    locked = _lock_purchase(request, version, PurchaseStatus.QUOTING)
    if quotation.request_id != locked.pk:
        raise ValidationFailed(_("Choose a quotation of this purchase."), field="quotation")
    above, minimum = _min_quotations()
    count = locked.quotations.count()
    # The estimate or the price chosen: an order above the threshold is competed for even when
    # the estimate was below it.
    if max(locked.estimated_total, quotation.amount) > above and count < minimum:
        raise ValidationFailed(
            _("Above %(amount)s, %(minimum)s quotations are needed (%(count)s so far).")
            % {"amount": above, "minimum": minimum, "count": count},
            code="too_few_quotations",
        )
    if not (justification or "").strip():
        raise ValidationFailed(_("Say why this supplier was chosen."), field="justification")
    if not (order_number or "").strip():
        raise ValidationFailed(_("Give the purchase order number."), field="order_number")
    locked.chosen = quotation
    locked.justification = justification.strip()
    locked.order_number = order_number.strip()[:50]
    locked.amount = quotation.amount
    locked.ordered_by = actor
    locked.ordered_at = timezone.now()
    locked.status = PurchaseStatus.ORDERED
    save_step(
        locked, "chosen", "justification", "order_number", "amount", "ordered_by", "ordered_at"
    )
    _purchase_event(
        actor,
        locked,
        "purchase.ordered",
        _("Purchase %(ref)s ordered from %(supplier)s: %(amount)s")
        % {"ref": locked, "supplier": quotation.supplier.name, "amount": quotation.amount},
        {"supplier": [None, quotation.supplier.name], "amount": [None, str(quotation.amount)]},
    )
    return locked


@transaction.atomic
def goods_receive(
    *,
    actor: Any,
    request: PurchaseRequest,
    received_on: Any,
    note: str = "",
    version: int | None = None,
) -> PurchaseRequest:
    """The goods arrived: the order's amount is spent on the plan's commitment. Audits
    `purchase.received`."""
    locked = _lock_purchase(request, version, PurchaseStatus.ORDERED)
    if received_on is None:
        raise ValidationFailed(_("Give the date the goods arrived."), field="received_on")
    assert locked.amount is not None
    spend_commitment(actor, locked.plan, locked.amount)
    locked.received_on = received_on
    locked.received_by = actor
    locked.received_note = (note or "").strip()
    locked.status = PurchaseStatus.RECEIVED
    save_step(locked, "received_on", "received_by", "received_note")
    _purchase_event(
        actor,
        locked,
        "purchase.received",
        _("Purchase %(ref)s: goods received") % {"ref": locked},
        {"status": [PurchaseStatus.ORDERED, PurchaseStatus.RECEIVED]},
    )
    return locked


SIGNATURE_PREFIX = "data:image/png;base64,"
SIGNATURE_MAX = 300_000  # characters of the data URL


def _check_signature(signature: str) -> str:
    signature = (signature or "").strip()
    if not signature:
        return ""
    if not signature.startswith(SIGNATURE_PREFIX) or len(signature) > SIGNATURE_MAX:
        raise ValidationFailed(_("The signature could not be read. Sign again."), field="signature")
    try:
        image = base64.b64decode(signature[len(SIGNATURE_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed(
            _("The signature could not be read. Sign again."), field="signature"
        ) from None
    if not image.startswith(b"\x89PNG\r\n\x1a\n"):
        raise ValidationFailed(_("The signature could not be read. Sign again."), field="signature")
    return signature


@transaction.atomic
def certificate_issue(
    *,
    actor: Any,
    request: PurchaseRequest,
    handed_over_on: Any,
    signed_by: str,
    signature: str = "",
    scan: Any = None,
    version: int | None = None,
) -> HandoverCertificate:
    """The hand-over certificate: the items, quantities and value given to the returnee on a
    date, acknowledged by a signature on the tablet or a signed scan (filed with the case's
    documents): the in-kind measure is delivered. Audits `purchase.handed_over`."""
    locked = _lock_purchase(request, version, PurchaseStatus.RECEIVED)
    if handed_over_on is None:
        raise ValidationFailed(_("Give the date of the hand-over."), field="handed_over_on")
    if not (signed_by or "").strip():
        raise ValidationFailed(_("Say who signed."), field="signed_by")
    signature = _check_signature(signature)
    if not signature and scan is None:
        raise ValidationFailed(
            _(
                "The returnee acknowledges the hand-over: capture a signature or upload the "
                "signed certificate."
            ),
            field="signature",
            code="unsigned",
        )
    # Numbered from the purchase's id: one certificate per purchase, and no two certificates
    # issued at the same moment share a number.
    number = f"HC-{timezone.localdate():%Y}-{locked.pk:05d}"
    document = None
    if scan is not None:
        document = document_attach(
            actor=actor,
            case=locked.plan.case,
            doc_type=DocumentType.CERTIFICATE,
            upload=scan,
            tier=Tier.FINANCE,
            title=_("Hand-over certificate %(number)s") % {"number": number},
        )
    assert locked.amount is not None
    certificate = HandoverCertificate.objects.create(
        request=locked,
        number=number,
        handed_over_on=handed_over_on,
        items=[
            {"description": line.description, "quantity": str(line.quantity)}
            for line in locked.lines.all()
        ],
        value=locked.amount,
        signed_by=signed_by.strip()[:200],
        signature=signature,
        scan=document,
        recorded_by=actor,
    )
    locked.status = PurchaseStatus.HANDED_OVER
    save_step(locked)
    measure_delivered(actor=actor, measure=locked.measure, on=handed_over_on)
    _purchase_event(
        actor,
        locked,
        "purchase.handed_over",
        _("Hand-over certificate %(number)s: %(value)s")
        % {"number": number, "value": locked.amount},
        {"certificate": [None, number], "value": [None, str(locked.amount)]},
    )
    return certificate


@transaction.atomic
def purchase_cancel(
    *, actor: Any, request: PurchaseRequest, reason: str, version: int | None = None
) -> PurchaseRequest:
    """Cancel a purchase not yet received. Audits `purchase.cancelled`."""
    locked = (
        PurchaseRequest.objects.select_for_update(of=("self",))
        .select_related("plan", "plan__case", "plan__case__person")
        .get(pk=request.pk)
    )
    if version is not None and locked.version != version:
        raise StaleVersion(_("This purchase was changed by someone else. Reload and try again."))
    if locked.status not in (PurchaseStatus.QUOTING, PurchaseStatus.ORDERED):
        raise ValidationFailed(_("Goods received are not cancelled."), code="invalid_transition")
    if not (reason or "").strip():
        raise ValidationFailed(_("Say why the purchase is cancelled."), field="reason")
    before = locked.status
    locked.cancel_reason = reason.strip()
    locked.status = PurchaseStatus.CANCELLED
    save_step(locked, "cancel_reason")
    _purchase_event(
        actor,
        locked,
        "purchase.cancelled",
        _("Purchase %(ref)s cancelled") % {"ref": locked},
        {"status": [before, PurchaseStatus.CANCELLED]},
    )
    return locked


def purchase_move(
    *,
    actor: Any,
    request: PurchaseRequest,
    to: str,
    version: int | None = None,
    quotation: int | None = None,
    **fields: Any,
) -> PurchaseRequest:
    """The step `to` with its own fields, for the page and the API: ORDERED (the id of a
    `quotation` of this purchase, `justification`, `order_number`), RECEIVED (`received_on`,
    `note`), HANDED_OVER (`handed_over_on`, `signed_by`, `signature` or `scan`), CANCELLED
    (`reason`)."""
    get = fields.get
    if to == PurchaseStatus.ORDERED:
        chosen = request.quotations.filter(pk=quotation).first() if quotation else None
        if chosen is None:
            raise ValidationFailed(_("Choose a quotation of this purchase."), field="quotation")
        return purchase_order(
            actor=actor,
            request=request,
            quotation=chosen,
            justification=get("justification") or "",
            order_number=get("order_number") or "",
            version=version,
        )
    if to == PurchaseStatus.RECEIVED:
        return goods_receive(
            actor=actor,
            request=request,
            received_on=get("received_on"),
            note=get("note") or "",
            version=version,
        )
    if to == PurchaseStatus.HANDED_OVER:
        certificate_issue(
            actor=actor,
            request=request,
            handed_over_on=get("handed_over_on"),
            signed_by=get("signed_by") or "",
            signature=get("signature") or "",
            scan=get("scan"),
            version=version,
        )
        return PurchaseRequest.objects.get(pk=request.pk)
    if to == PurchaseStatus.CANCELLED:
        return purchase_cancel(
            actor=actor, request=request, reason=get("reason") or "", version=version
        )
    raise ValidationFailed(
        _("Move the purchase to ORDERED, RECEIVED, HANDED_OVER or CANCELLED."), field="to"
    )
