"""The legal domain's services, one module per concern: matters (and claimants), hearings,
deadlines (events, rules, court calendars). ``from mdt.legal import services as legal`` gives
all of them."""

from mdt.legal.services.deadlines import (  # noqa: F401
    change_event_date,
    check_rule,
    confirm_event,
    court_calendar,
    mark_done,
    mark_missed,
    matter_deadlines,
    recompute,
    record_event,
    remove_closure,
    require_admin,
    rules_for,
    save_closure,
    save_rule,
)
from mdt.legal.services.hearings import (  # noqa: F401
    attendance,
    schedule_hearing,
    update_hearing,
    update_support,
)
from mdt.legal.services.matters import (  # noqa: F401
    COURT_ZONES,
    add_claimant,
    audit_read,
    create_matter,
    due_soon,
    get_matter,
    linked_ids,
    matters_naming,
    matters_of_case,
    my_agenda,
    read_matter,
    totals,
    update_claimant,
    update_claimants,
    update_matter,
    visible,
    visible_matters,
)
