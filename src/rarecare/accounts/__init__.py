"""Users, roles, login sessions and login rate limiting."""
