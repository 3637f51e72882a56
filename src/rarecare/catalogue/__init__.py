"""The catalogue pages and API: the knowledge base joined with the national lists."""
