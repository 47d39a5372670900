"""The deadline engine: worked examples from LEGAL_RULES.md and properties (hypothesis)."""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from mdt.legal.calendar import CourtCalendar, Period, compute

TH = CourtCalendar("TH")


def test_th_rule1_labour_appeal_worked_example():
    # Supreme Court 17817/2555: judgment read 20 Dec 2007 -> last day 4 Jan 2008.
    assert compute(date(2007, 12, 20), Period(15, "days"), TH).due_on == date(2008, 1, 4)


def test_th_rule4_dika_is_a_calendar_month():
    # Appeal judgment read 23 February -> last day 23 March of the same year (a Monday in 2026).
    assert compute(date(2026, 2, 23), Period(1, "months"), TH).due_on == date(2026, 3, 23)


def test_ph_rule12_good_friday_then_weekend_needs_manual_holiday():
    # SM Agri v. NLRC: decision received 10 April 1984; day 10 was Good Friday (20 April), then a
    # weekend -> Monday 23 April. The holidays package has no Philippine data before 1988.
    plain = CourtCalendar("PH")
    assert compute(date(1984, 4, 10), Period(10, "days"), plain).due_on == date(1984, 4, 20)
    corrected = CourtCalendar("PH", added={date(1984, 4, 20): "Good Friday"})
    result = compute(date(1984, 4, 10), Period(10, "days"), corrected)
    assert result.due_on == date(1984, 4, 23)
    assert any("Good Friday" in line for line in result.trace)


def test_month_end_clamps_to_last_day():
    # s.193/5: 31 January + 1 month = 28 February (2026), a Saturday -> Monday 2 March.
    result = compute(date(2026, 1, 31), Period(1, "months"), TH)
    assert result.unrolled == date(2026, 2, 28) and result.due_on == date(2026, 3, 2)


def test_friday_holiday_then_weekend_lands_on_monday():
    cal = CourtCalendar("TH", added={date(2026, 7, 3): "decreed bridge day"})  # a Friday
    assert compute(date(2026, 6, 18), Period(15, "days"), cal).due_on == date(2026, 7, 6)


def test_opened_day_overrides_package_holiday():
    songkran = date(2026, 4, 14)
    assert not TH.is_working_day(songkran)
    cal = CourtCalendar("TH", removed=frozenset({songkran}))
    assert cal.is_working_day(songkran)


def test_before_a_date_rolls_backward():
    # TH-6: file before the first evidence hearing: the day before, earlier if the court is closed.
    hearing = date(2026, 3, 9)  # a Monday: the day before is Sunday -> Friday 6 March
    assert compute(hearing, Period(0, "days", -1, "backward"), TH).due_on == date(2026, 3, 6)


def test_working_days_skip_closures():
    result = compute(date(2026, 4, 10), Period(3, "working_days"), TH)  # Fri; Songkran 13-15
    assert result.due_on == date(2026, 4, 20)


dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 12, 31))
periods = st.builds(
    Period,
    amount=st.integers(min_value=0, max_value=400),
    unit=st.sampled_from(["days", "working_days", "months", "years"]),
)
closures = st.dictionaries(dates, st.just("closure"), max_size=20)


@settings(max_examples=300, deadline=None)
@given(start=dates, period=periods, added=closures, country=st.sampled_from(["TH", "PH"]))
def test_last_day_is_a_working_day_not_before_the_unrolled_date(start, period, added, country):
    if period.unit in ("months", "years"):
        period = Period(period.amount % 121, period.unit)
    if period.unit == "working_days":
        period = Period(max(period.amount % 60, 1), period.unit)
    cal = CourtCalendar(country, added=added)
    first = compute(start, period, cal)
    assert cal.is_working_day(first.due_on)
    assert first.due_on >= first.unrolled
    assert first.due_on.weekday() < 5
    assert first.due_on not in added
    # Recomputing changes nothing.
    assert compute(start, period, cal).due_on == first.due_on
    # Never more than a run of closed days past the unrolled date.
    assert first.due_on - first.unrolled < timedelta(days=len(added) + 30)
