"""Build the Anki deck: `python build_deck.py` turns the transcripts in source/ into output/."""

import os
import sys

from chatdeck.cli import main

if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # the reader stopped early (`--dry-run | head`): nothing went wrong
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
