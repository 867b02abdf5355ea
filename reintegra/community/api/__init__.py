"""The community app's API router: one sub-router per area."""

from ninja import Router

from reintegra.community.api.projects import router as projects_router
from reintegra.community.api.structural import router as structural_router

router = Router()
router.add_router("", projects_router)
router.add_router("", structural_router)
