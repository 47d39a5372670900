"""The figures an MDT reports: the dashboard (``services``), the small-count rule (``small``),
the bands and regions shared with the de-identified export (``bands``), and the export itself
(``export``)."""
