"""The API's root: core's NinjaAPI with every app's router mounted.

Reports sits above every app, so it may import them all; core (where the NinjaAPI lives) may not.
`config/urls.py` mounts `api` from here.
"""

from reintegra.accounts.api import router as accounts_router
from reintegra.accounts.services import api_token_user
from reintegra.cases.api import router as cases_router
from reintegra.community.api import router as community_router
from reintegra.core.api import api, token_auth
from reintegra.finance.api import router as finance_router
from reintegra.instruments.api import router as instruments_router
from reintegra.monitoring.api import router as monitoring_router
from reintegra.outreach.api import router as outreach_router
from reintegra.people.api import router as people_router
from reintegra.plans.api import router as plans_router
from reintegra.privacy.api import router as privacy_router
from reintegra.providers.api import router as providers_router
from reintegra.referrals.api import router as referrals_router
from reintegra.safeguarding.api import router as safeguarding_router

token_auth.resolve = api_token_user

api.add_router("", accounts_router)
api.add_router("", people_router)
api.add_router("", cases_router)
api.add_router("", providers_router)
api.add_router("", instruments_router)
api.add_router("", monitoring_router)
api.add_router("", referrals_router)
api.add_router("", plans_router)
api.add_router("", finance_router)
api.add_router("", community_router)
api.add_router("", outreach_router)
api.add_router("", safeguarding_router)
api.add_router("", privacy_router)

__all__ = ["api"]
