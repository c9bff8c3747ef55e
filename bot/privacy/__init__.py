"""Privacy: what Touchstone stores about a person, exported or erased on request."""

from bot.privacy.service import DeletionReport, PrivacyService

__all__ = ["DeletionReport", "PrivacyService"]
