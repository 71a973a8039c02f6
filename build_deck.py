"""Build the Anki deck: `python build_deck.py` turns the transcripts in source/ into output/."""

import sys

from chatdeck.cli import main

if __name__ == "__main__":
    sys.exit(main())
