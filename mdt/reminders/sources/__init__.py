"""The kinds of reminder sources. A new kind is one module here plus one line below."""

from mdt.reminders.sources import (  # noqa: F401  (each module registers its Source)
    action,
    deadline,
    hearing,
    meeting,
    referral,
    visit,
)
