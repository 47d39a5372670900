"""Follow-up visits to a returnee after their return, and the schedule they keep to."""
