"""The privacy app's models, one module per area."""

from reintegra.privacy.models.requests import *  # noqa: F403
from reintegra.privacy.models.retention import *  # noqa: F403
