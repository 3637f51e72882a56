"""Long-term care: therapy plans, infusion schedules, adherence, drug demand and travel."""
