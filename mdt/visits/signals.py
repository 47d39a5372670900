"""What happens to follow-up visits, for other domains (reminders) to react to."""

from mdt.signals import declare

visit_due_changed = declare("visit-due-changed", "Visits due planned, made or dropped (their ids).")
