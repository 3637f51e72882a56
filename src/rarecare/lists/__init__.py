"""The national rare disease list and the rare drug list: versioned legal objects with
import/export, diff and approval."""
