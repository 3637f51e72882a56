"""Demonstration data: real Vietnamese hospitals, demo logins (and later lists and patients)."""
