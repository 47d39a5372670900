"""The figures: who sees the dashboard, whose MDT, and who takes de-identified exports."""

from __future__ import annotations

from mdt.policy.registry import read_only, rule, volunteer


def national(user) -> bool:
    """A viewer in a national agency (a ministry) sees every MDT's figures."""
    return user.has_role("viewer") and user.agency is not None and user.agency.level == "national"


@rule("report.view", viewer=True)
def _view(user, _obj) -> bool:
    """The dashboard: coordinators and viewers (provincial heads, ministries, donors)."""
    return user.has_role("coordinator") or user.has_role("viewer")


@rule("report.national", viewer=True)
def _national(user, _obj) -> bool:
    return national(user)


@rule("report.mdt", viewer=True)
def _mdt(user, mdt) -> bool:
    """``mdt``: the MDT whose figures are asked for: one's own, or any for a national viewer."""
    return mdt is not None and (mdt.id == user.mdt_id or national(user)) and _view(user, None)


@rule("export.deidentified", viewer=True)
def _export(user, mdt) -> bool:
    """A de-identified export (a right of its own, not implied by seeing the figures): the MDT's
    coordinators for their MDT, national viewers for any. ``mdt``: None for every MDT."""
    if national(user):
        return True
    return user.has_role("coordinator") and mdt is not None and mdt.id == user.mdt_id


# The pages and endpoints a read-only account opens: its own account, the directory, the figures.
# Every other page answers 403 to it (``mdt.web.read_only_gate``), even those that would only
# list nothing, so that a viewer's account cannot become a way into case work.
VIEWER_PAGES = frozenset(
    {
        "cases.home",
        "reports.dashboard",
        "directory.index",
        "directory.intermediaries",
        "directory.intermediary",
        "directory.outreach",
        "referrals.notifications_page",
        "calendar.feed",  # opened by its secret address, whoever's session comes with it
        "static",
        "favicon",
        "api.health",
        "field.manifest",  # the installable app's manifest and worker, linked from every page
        "field.service_worker",
        "api.me",
        "api.list_agencies",
        "api.list_members",
        "api.get_summary",
        "api.create_export",
        "api.get_export",
        "api.export_file",
        "reports.exports",
        "reports.quarterly_report",
        "reports.export_status",
        "reports.export_file",
        "api-docs.openapi_json",
    }
)


# A village volunteer's pages: its home (what it sent and how far each has gone), the forms to
# send an intake or a visit report, the offline app and its sync. No case, no list, no search.
VOLUNTEER_PAGES = frozenset(
    {
        "cases.home",
        "triage.new_intake",
        "triage.new_visit",
        "triage.mine",
        "sync.web_sync",
        "static",
        "favicon",
        "api.health",
        "api.me",
        "api.sync_changes",
    }
)


@rule("page.open", viewer=True, volunteer=True)
def _page(user, endpoint) -> bool:
    """May ``user`` open the page or endpoint named ``endpoint`` at all (each still asks its own
    rules)? Everyone but a read-only account or a volunteer's; those, only their own account's
    pages and ``VIEWER_PAGES`` or ``VOLUNTEER_PAGES``."""
    name = str(endpoint)
    if name.startswith(("auth.", "public.", "report.")):
        return True  # their own account's pages, and what anyone may open without one
    if volunteer(user):
        return name in VOLUNTEER_PAGES or name.startswith("field.")
    return not read_only(user) or endpoint in VIEWER_PAGES
