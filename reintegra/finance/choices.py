from django.db import models
from django.utils.translation import gettext_lazy as _


class InstalmentStatus(models.TextChoices):
    PLANNED = "PLANNED", _("Planned")
    PREPARED = "PREPARED", _("Payment instruction prepared")
    APPROVED = "APPROVED", _("Payment approved")
    PAID = "PAID", _("Paid")
    CANCELLED = "CANCELLED", _("Cancelled")


# Who moves an instalment: the finance staff prepare the instruction, a second finance user
# approves it, a finance user records the payment. Cancelling is open until it is paid.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    InstalmentStatus.PLANNED: (InstalmentStatus.PREPARED, InstalmentStatus.CANCELLED),
    InstalmentStatus.PREPARED: (InstalmentStatus.APPROVED, InstalmentStatus.CANCELLED),
    InstalmentStatus.APPROVED: (InstalmentStatus.PAID, InstalmentStatus.CANCELLED),
    InstalmentStatus.PAID: (),
    InstalmentStatus.CANCELLED: (),
}


class PaymentMethod(models.TextChoices):
    MOBILE_MONEY = "MOBILE_MONEY", _("Mobile money")
    BANK = "BANK", _("Bank transfer")
    CASH = "CASH", _("Cash in hand")


class PurchaseStatus(models.TextChoices):
    QUOTING = "QUOTING", _("Collecting quotations")
    ORDERED = "ORDERED", _("Ordered")
    RECEIVED = "RECEIVED", _("Goods received")
    HANDED_OVER = "HANDED_OVER", _("Handed over")
    CANCELLED = "CANCELLED", _("Cancelled")


OPEN_PURCHASES = (PurchaseStatus.QUOTING, PurchaseStatus.ORDERED, PurchaseStatus.RECEIVED)
