"""The outreach app's API router: one sub-router per area."""

from ninja import Router

from reintegra.outreach.api.communication import router as communication_router
from reintegra.outreach.api.feedback import router as feedback_router

router = Router()
router.add_router("", communication_router)
router.add_router("", feedback_router)
