"""Need-to-know access: the one place that decides what a member may see and do.

Every view, API endpoint, export, task and template asks ``can(user, action, obj)`` (templates
through the ``can`` global), and every list builds its query with the SQL filters here
(``team_filter``, ``listable_filter``, ``matter_filter``). No view or template tests a role
itself. One file per domain holds its rules; each rule is registered under its action name, so
an unknown action is a programming error, not a silent "no".

The rules in short:
- Nobody sees another MDT's data; a deactivated member sees nothing.
- A member is *on a case's team* when their agency leads the case or is on its team, or they are
  assigned to it by name. An agency that joined through the person's consent stays on the team
  only while the consent decision (``mdt.consent``) is live, and sees only the parts it opens.
- Coordinators see a summary (reference, stage, lead agency, dates) of every case in their MDT,
  and full content only where they are on the team.
- Sensitive assessment fields and restricted notes: only members of the lead agency.
- Admins manage the directory and accounts but read no case content unless on the team.
"""

from __future__ import annotations

from mdt.policy import (  # noqa: F401  (register)
    cases,
    directory,
    documents,
    field,
    legal,
    meetings,
    privacy,
    referrals,
    reminders,
    reports,
)
from mdt.policy.cases import (
    ALL_PARTS,
    in_small_set,
    listable_filter,
    on_team,
    part_filter,
    shared_parts,
    team_filter,
)
from mdt.policy.legal import matter_filter
from mdt.policy.registry import RULES, active, can, read_only, volunteer

__all__ = [
    "ALL_PARTS",
    "RULES",
    "active",
    "can",
    "listable_filter",
    "matter_filter",
    "on_team",
    "part_filter",
    "in_small_set",
    "read_only",
    "shared_parts",
    "team_filter",
    "volunteer",
]
