"""Research access: consent-aware extracts through data access requests, and a GA4GH Beacon v2
endpoint that answers "do you have patients with X?" without moving data."""
