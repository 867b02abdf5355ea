"""API of the restricted sections."""

from ninja import Router

router = Router(tags=["safeguarding"])
