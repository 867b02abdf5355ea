"""API of feedback and complaints, the programme adjustment log and its report."""

from ninja import Router

router = Router(tags=["feedback"])
