"""Writes on finance: cash instalments and payments (`cash`), in-kind purchases and hand-over
certificates (`purchases`). Views, the API and the demo call them from here."""

from reintegra.finance.services.cash import (
    instalment_add,
    instalment_approve,
    instalment_cancel,
    instalment_move,
    instalment_pay,
    instalment_prepare,
)
from reintegra.finance.services.purchases import (
    certificate_issue,
    goods_receive,
    purchase_cancel,
    purchase_move,
    purchase_order,
    purchase_start,
    quotation_add,
    supplier_save,
)

__all__ = [
    "certificate_issue",
    "goods_receive",
    "instalment_add",
    "instalment_approve",
    "instalment_cancel",
    "instalment_move",
    "instalment_pay",
    "instalment_prepare",
    "purchase_cancel",
    "purchase_move",
    "purchase_order",
    "purchase_start",
    "quotation_add",
    "supplier_save",
]
