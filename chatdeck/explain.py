"""What a dry run says about each transcript, as one frozen record per file: every question
with the rule and reason that took it, the lines that look like questions but stayed in an
answer, and, for a chat log, its turn markers and the lines left out of its cards.

The parser's explanations (`Parsed.decisions`, `Parsed.turns`) are gathered here once; the
human report and the JSON report (`chatdeck.report`) both render this record, so the two
cannot disagree. It keeps only the text of the lines it names, not the whole file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from chatdeck.parse import NEAR_MISS, Parsed, Verdict


@dataclass(frozen=True, slots=True)
class FoundQuestion:
    """A question the parser found: where, by which rule, how sure, and why."""

    line: int
    question: str
    rule: str
    confidence: str
    reason: str

    @property
    def guessed(self) -> bool:
        """Below high confidence: the dry run flags it for checking."""
        return self.confidence != "high"


@dataclass(frozen=True, slots=True)
class TurnMarker:
    """One turn marker line of a chat log, and whose turn it opens."""

    line: int
    label: str
    role: str


@dataclass(frozen=True, slots=True)
class TurnMarkers:
    """How a chat log marks its turns: the markers' shape (`## <label>`), each label with its
    role (user, assistant, other) as first written, and every marker line."""

    shape: str
    labels: tuple[tuple[str, str], ...]
    markers: tuple[TurnMarker, ...]


@dataclass(frozen=True, slots=True)
class LeftOut:
    """The lines left out of the cards for one reason (separator, metadata, reasoning, ...)."""

    reason: str
    lines: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class KeptLine:
    """A line that looks like a question but stayed in an answer, and why. A near miss is a
    request without `?` that no rule took: the one a user most likely meant as a question."""

    line: int
    text: str
    reason: str

    @property
    def near_miss(self) -> bool:
        return self.reason == NEAR_MISS


@dataclass(frozen=True, slots=True)
class FileExplanation:
    """Everything the dry run says about one transcript."""

    source: str
    title: str | None
    questions: tuple[FoundQuestion, ...]
    #: Lines with text before the first question, on no card (a warning says so too).
    on_no_card: tuple[int, ...]
    #: None: the file has no turn structure (a plain `Q:`/`A:` or hand-pasted file).
    turns: TurnMarkers | None
    #: Grouped by reason, in the order each reason first occurs; lines ascending.
    left_out: tuple[LeftOut, ...]
    kept: tuple[KeptLine, ...]

    @property
    def guessed(self) -> tuple[FoundQuestion, ...]:
        return tuple(question for question in self.questions if question.guessed)

    @property
    def near_misses(self) -> tuple[KeptLine, ...]:
        return tuple(kept for kept in self.kept if kept.near_miss)


def explain_file(parsed: Parsed, lines: Sequence[str]) -> FileExplanation:
    """The dry run's record of one parsed transcript (`lines`: its text, for the lines named)."""
    decisions = parsed.decisions
    reasons = {d.line: d.reason for d in decisions if d.verdict is Verdict.QUESTION}
    questions = tuple(
        FoundQuestion(
            note.line,
            note.question,
            note.rule,
            note.confidence,
            reasons.get(note.line, ""),
        )
        for note in parsed.notes
        if note.line is not None
    )
    left_out: dict[str, list[int]] = {}
    for decision in decisions:
        if decision.verdict is Verdict.LEFT_OUT:
            left_out.setdefault(decision.reason, []).append(decision.line)
    kept = tuple(
        KeptLine(d.line, lines[d.line - 1].strip() if d.line <= len(lines) else "", d.reason)
        for d in decisions
        if d.verdict is Verdict.KEPT
    )
    return FileExplanation(
        source=parsed.source,
        title=parsed.title,
        questions=questions,
        on_no_card=tuple(parsed.unassigned),
        turns=_turn_markers(parsed),
        left_out=tuple(LeftOut(reason, tuple(sorted(at))) for reason, at in left_out.items()),
        kept=kept,
    )


def _turn_markers(parsed: Parsed) -> TurnMarkers | None:
    turns = parsed.turns
    if turns is None:
        return None
    markers = tuple(
        TurnMarker(line + 1, label, role) for line, (label, role) in sorted(turns.markers.items())
    )
    return TurnMarkers(turns.shape, tuple(turns.labels.items()), markers)
