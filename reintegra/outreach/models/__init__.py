"""The outreach app's models, one module per area:

- `communication` — communication strategy, activities and campaigns, messages to
  consenting returnees
- `feedback` — feedback and complaints, the programme adjustment log and its report.
"""

from reintegra.outreach.models.communication import *  # noqa: F403
from reintegra.outreach.models.feedback import *  # noqa: F403
