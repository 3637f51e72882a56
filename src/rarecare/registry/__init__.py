"""The pseudonymised patient registry: records keyed by pseudonym, the encrypted identity store,
phenotypes, diagnoses, encounters and the diagnostic-delay clock."""
