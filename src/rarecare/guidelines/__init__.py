"""Diagnosis and treatment guidelines per disease, with safely stored PDF attachments."""
