"""The community app's models, one module per area:

- `projects` — community profiles and community-based projects
- `structural` — stakeholders, agreements, capacity building, coordination mechanisms and SOPs.
"""

from reintegra.community.models.projects import *  # noqa: F403
from reintegra.community.models.structural import *  # noqa: F403
