"""The coordinators' triage queue: public complaints and volunteers' submissions."""
