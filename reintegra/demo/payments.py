"""Demo cash payments: instalments of the approved plans' cash measures at every step, so the
finance persona's home and payments page show work in progress. Approving a payment needs a
second finance user: the demo adds one, `finance.two` (same password as the personas)."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from reintegra.accounts import services as accounts
from reintegra.accounts.choices import Role
from reintegra.accounts.models import Office, User
from reintegra.finance import services
from reintegra.finance.choices import PaymentMethod
from reintegra.plans.choices import DeliveryMode, Status
from reintegra.plans.models import Measure

# Which step each cash measure's instalments reach, in turn: both paid; the first paid and
# the second approved; prepared (waiting for the second finance user); planned.
STEPS = ("paid", "paid", "to_pay", "to_approve", "to_prepare", "to_prepare")
MILESTONES = ("On arrival", "After the business training")


def _second_finance(users: dict[str, User]) -> User:
    existing = User.objects.filter(username="finance.two").first()
    if existing is not None:
        return existing
    user = accounts.user_create(
        actor=None,
        username="finance.two",
        first_name="Khady",
        last_name="Sarr",
        email="finance.two@demo.reintegra.invalid",
        password_hash=users["finance"].password,
    )
    accounts.role_assign(
        actor=None, user=user, role=Role.FINANCE, office=Office.objects.get(code="DKR")
    )
    return user


def payments_load(users: dict[str, User]) -> None:
    preparer, approver = users["finance"], _second_finance(users)
    measures = (
        Measure.objects.filter(plan__status=Status.APPROVED, delivery_mode=DeliveryMode.CASH)
        .select_related("plan", "plan__case", "plan__case__person", "plan__created_by")
        .order_by("plan__approved_at", "id")
    )
    today = timezone.localdate()
    for number, measure in enumerate(measures):
        step = STEPS[number % len(STEPS)]
        plan, person = measure.plan, measure.plan.case.person
        half = (measure.estimated_cost / 2).quantize(Decimal("0.01"))
        for i, milestone in enumerate(MILESTONES):
            amount = half if i == 0 else measure.estimated_cost - half
            instalment = services.instalment_add(
                actor=plan.created_by,
                plan=plan,
                measure=measure,
                amount=amount,
                milestone=milestone,
                due_on=today + timedelta(days=30 * i - 10),
            )
            reached = "paid" if step == "paid" or (step == "to_pay" and i == 0) else step
            if reached == "to_prepare":
                continue
            instalment = services.instalment_prepare(
                actor=preparer,
                instalment=instalment,
                method=PaymentMethod.MOBILE_MONEY,
                payee=person.full_name,
                account=person.phone or "770000000",
            )
            if reached == "to_approve":
                continue
            instalment = services.instalment_approve(actor=approver, instalment=instalment)
            if reached == "to_pay":
                continue
            services.instalment_pay(
                actor=preparer, instalment=instalment, reference=f"OM-DEMO-{instalment.pk:05d}"
            )
