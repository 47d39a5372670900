"""What the referral services share: picking an agency of the MDT on a form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from mdt.directory.models import Agency
from mdt.validation import Checker


def agency_in_mdt(c: Checker, field: str, mdt_id: int, *, required: bool) -> Agency | None:
    if c.data.get(field) in (None, ""):
        if required:
            c.error(field, _l("Choose an agency."))
        return None
    return c.pick(field, Agency, mdt_id=mdt_id, message=_l("No such agency in this MDT."))
