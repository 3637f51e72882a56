"""Monitoring: the steering committee's workspace (organisations, committee, meetings and
decisions, the national action plan with its activities and their history, the events
register) and its quarterly report."""
