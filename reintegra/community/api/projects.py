"""API of community profiles and community-based projects."""

from ninja import Router

router = Router(tags=["projects"])
