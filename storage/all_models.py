"""Every module that defines tables on ``storage.models.Base``: Alembic and the schema test import this."""

from storage import models, preferences, reminders
from storage.models import Base

__all__ = ["Base", "models", "preferences", "reminders"]
