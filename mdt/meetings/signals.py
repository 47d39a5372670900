"""What happens to meetings and action items, for other domains to react to."""

from mdt.signals import declare

meeting_changed = declare("meeting-changed", "Meetings created, moved, published or cancelled.")
action_item_changed = declare("action-item-changed", "Action items created or closed.")
