"""What happens to returnees and their cases, for other domains to react to."""

from mdt.signals import declare

person_contact_changed = declare(
    "person-contact-changed",
    "A person's phone, email or the confirmation that they are safe to use changed; ids are person ids.",
)
