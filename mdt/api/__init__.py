"""JSON API v1 (see ../shared/API.md): bearer tokens, problem+json errors. The blueprint is in
``mdt.api.base``; each module below adds its endpoints to it."""

from mdt.api import (  # noqa: F401  (their endpoints)
    calendar,
    cases,
    directory,
    documents,
    legal,
    meetings,
    referrals,
    reports,
    sync,
)
from mdt.api.base import api_bp

__all__ = ["api_bp"]
