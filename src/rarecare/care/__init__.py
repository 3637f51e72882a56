"""Treatment centres (and, later, therapy plans, schedules, demand and travel)."""
