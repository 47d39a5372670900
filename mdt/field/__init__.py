"""Offline work from the field (issue 16): the installable app's shell, its service worker and
manifest, the pack of a member's own cases for the device, and the devices set up for it."""
