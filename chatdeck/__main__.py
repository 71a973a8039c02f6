"""`python -m chatdeck`: the same command as `chatdeck` and `python build_deck.py`."""

from chatdeck.cli import run

if __name__ == "__main__":
    run(prog="python -m chatdeck")
