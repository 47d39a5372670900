"""The calendar: hearings, deadlines, meetings and action items on the MDT's days; personal feeds."""
