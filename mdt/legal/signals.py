"""What happens to legal matters, hearings and deadlines, for other domains to react to."""

from mdt.signals import declare

matter_changed = declare(
    "matter-changed",
    "A matter's lawyers, supervising lawyer or claimants changed: its hearings' and "
    "deadlines' recipients may differ.",
)
hearing_changed = declare(
    "hearing-changed",
    "Hearings scheduled, moved, adjourned, held or cancelled, or their court support changed.",
)
deadline_changed = declare("deadline-changed", "Deadlines created, moved, done or missed.")
