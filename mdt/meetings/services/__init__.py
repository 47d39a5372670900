"""The meetings domain's services, one module per concern: meetings (and series, attendance),
agenda, minutes, actions. ``from mdt.meetings import services as meetings`` gives all of them."""

from mdt.meetings.schemas import REPEATS, rule_for  # noqa: F401
from mdt.meetings.services.actions import (  # noqa: F401
    action_items_for,
    action_view,
    close_action,
    create_action_item,
    may_list_agency,
    meeting_actions,
    overdue_by_agency,
    restricted_title,
    with_visibility,
)
from mdt.meetings.services.agenda import (  # noqa: F401
    PROPOSAL_CAP,
    REASON_ORDER,
    STALLED_LIMIT,
    AgendaRow,
    Proposed,
    add_item,
    agenda_for,
    agenda_row,
    group_agenda,
    item_detail,
    move_item,
    proposals,
    propose_agenda,
    read_agenda,
    remove_item,
)
from mdt.meetings.services.meetings import (  # noqa: F401
    agenda_status,
    attendance_sheet,
    create_meeting,
    create_series,
    describe_rule,
    get_meeting,
    next_host,
    next_meeting,
    occurrences,
    publish,
    record_attendance,
    reschedule,
    schedule_series,
)
from mdt.meetings.services.minutes import (  # noqa: F401
    approve_minutes,
    save_minutes,
)
