"""Readers and writers for exchange formats: CSV/XLSX tables (and, later, Phenopackets, FHIR)."""
