"""Build the Anki deck: `python build_deck.py` turns the transcripts in source/ into output/."""

from chatdeck.cli import run

if __name__ == "__main__":
    run(prog="build_deck.py")
