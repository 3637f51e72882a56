"""The public portal: rare disease information for patients, families and the public —
editorial content (disease summaries, how-to pages, news) with a draft → review → published
workflow, public disease pages that join Orphanet with the national lists, coverage and
centres, a centres directory and a sitemap."""
