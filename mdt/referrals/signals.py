"""What happens to referrals and to the person's consent, for other domains to react to."""

from mdt.signals import declare

referral_changed = declare("referral-changed", "Referrals made, answered, completed, withdrawn or expired.")
consent_changed = declare("consent-changed", "A consent recorded or withdrawn; ids are case ids.")
