"""Centres: hospitals and their level, the ground floor that users, patients and care belong to."""
