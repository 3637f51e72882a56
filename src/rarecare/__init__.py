"""RareCare: national rare disease management (knowledge, diagnosis, registry, care, finance,
monitoring)."""

__version__ = "0.1.0"
