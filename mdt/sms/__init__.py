"""Two-way SMS with the person: a provider chosen by configuration (``providers``), a record of
each message sent and what became of it (``models``), and the provider's webhooks (``views``):
delivery receipts, and replies that become notes for the case team, STOP a refusal of contact by
SMS (``services``)."""
