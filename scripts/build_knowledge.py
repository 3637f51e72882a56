"""Regenerates the packaged knowledge files (see ``rarecare.knowledge.build``).

.venv/bin/python scripts/build_knowledge.py [--shared ../shared/data] [--hpo DIR] [--out DIR]
"""

from rarecare.knowledge.build import main

if __name__ == "__main__":
    main()
