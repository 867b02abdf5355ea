"""API of stakeholders, agreements, capacity building, coordination mechanisms and SOPs."""

from ninja import Router

router = Router(tags=["structural"])
