"""API of retention rules, anonymisation, legal holds, consent-withdrawal cascades."""

from ninja import Router

router = Router(tags=["retention"])
