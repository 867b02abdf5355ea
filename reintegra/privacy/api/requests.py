"""API of subject-access requests and exports, password-protected exports."""

from ninja import Router

router = Router(tags=["requests"])
