"""The privacy app's API router: one sub-router per area."""

from ninja import Router

from reintegra.privacy.api.requests import router as requests_router
from reintegra.privacy.api.retention import router as retention_router

router = Router()
router.add_router("", requests_router)
router.add_router("", retention_router)
