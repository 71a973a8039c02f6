"""Pygments' `RegexLexer`, run faster, with the same tokens.

Stock `RegexLexer.get_tokens_unprocessed` tries the rules of the current state one by one, a
`Pattern.match` call from Python for each until one matches. This driver joins a state's rules
into one regular expression, `(rule 0)|(rule 1)|...`: at a position, Python's `re` tries the
alternatives in order and takes the first that matches (nothing follows the alternation that
could make it backtrack into the next), so the alternative that matches is the first rule that
matches, and `Match.lastindex` (its outer group, the last to close) says which it is. The rest
is the stock loop: states, `#pop`/`#push`/tuples/ints, the error token, the newline that resets
to root, callbacks (given their rule's own match object, found again by the rule's own regular
expression at that position, so that their group numbers are the rule's).

The driver takes only lexers that run the stock loop unchanged, and whose private internals
(`_tokens`, its `(rexmatch, action, new_state)` rules) are what it expects (`lexicon`); any
other lexer goes through Pygments as it is (`lex`). A state whose rules do not mean the same
once embedded in the alternation (a numbered back-reference, a group name two rules share, flags
that cannot be scoped to the rule) is run rule by rule, as stock runs it: the alternation is
parsed, and each of its alternatives compared with its rule's own parse.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pygments.lexer import Lexer
    from pygments.token import _TokenType

#: A rule's action: a token type, a callback yielding `(index, token type, text)`, or nothing.
Callback = Callable[[Any, re.Match[str]], Iterator[tuple[int, "_TokenType", str]]]
Action = "_TokenType | Callback | None"
#: A rule's state transition, as Pygments processed it: None, a tuple of state names (and
#: `#pop`/`#push`), an int (pop that many), or `#push`.
Transition = None | tuple[str, ...] | int | str

try:  # Python's own regular expression parser (3.11+), to compare rules with their embedding
    _parser: Any = importlib.import_module("re._parser")
    _constants: Any = importlib.import_module("re._constants")
    _compiler: Any = importlib.import_module("re._compiler")
except ImportError:  # pragma: no cover - another Python: every lexer goes through Pygments
    _parser = _constants = _compiler = None

#: What reading a pattern with Python's private parser may raise: a pattern it rejects, or a
#: parser other than the one this module was written for (the driver then declines the rule).
UNREADABLE = (
    re.error, RecursionError, OverflowError, ValueError, TypeError, AttributeError, KeyError,
    IndexError,
)  # fmt: skip
#: The flags a rule's alternative is given in a scoped group: those Pygments compiled it with
#: (its lexer's `flags`, and the global ones leading its pattern) on, the others off.
SCOPED_FLAGS = ((re.IGNORECASE, "i"), (re.MULTILINE, "m"), (re.DOTALL, "s"), (re.VERBOSE, "x"))
#: Global inline flags leading a pattern, as `(?i)` (Python 3.11 allows them only there).
LEADING_FLAGS = re.compile(r"(?:\(\?[aiLmsux]+\))+")


#: The alternation of no rules: it matches nowhere.
NOTHING = re.compile("(?!)").match


@dataclass(frozen=True, slots=True)
class Rule:
    """One `(rexmatch, action, new_state)` of a state of Pygments' `_tokens`."""

    match: Callable[[str, int], re.Match[str] | None]
    action: Any  # `Action`: a token type, a callback or None
    new_state: Transition
    #: `action` when it is a token type (the rule yields its whole match as one token).
    token: _TokenType | None


@dataclass(frozen=True, slots=True)
class Alternation:
    """Some rules of a state, in their order, as one regular expression."""

    match: Callable[[str, int], re.Match[str] | None]
    #: The rule whose alternative a group number is the outer group of (None for the others).
    by_group: tuple[Rule | None, ...]


#: Tokens a state lexes rule by rule, as stock does, before its alternation is built; and times
#: a character is looked up in a state's whole alternation before the state's alternation of the
#: rules that can start with it is. Compiling one costs as much as many tokens save: a small
#: build, or a state that little text reaches, is lexed as stock would, without paying for it.
WARM_TOKENS = 5000
WARM_LOOKUPS = 300


class State:
    """A state's rules, and what the driver has built of them so far.

    `whole` is their alternation, once the state has lexed `Lexicon.warm_tokens` tokens (None
    before, and for good when a rule does not embed). `by_character` is the dispatch on the
    character at the position: the alternation of only the rules that can match text starting
    with it (`first_characters`), built once the character has been looked up
    `Lexicon.warm_lookups` times (`Lexicon.dispatch`). Most rules start with a few characters (a
    keyword, a quote, a digit): an identifier need not fail every keyword's alternative first.
    A cache, filled as the lexing goes: not a value handed between stages."""

    __slots__ = ("rules", "whole", "firsts", "cold", "by_character", "by_rules", "lookups")

    def __init__(self, rules: tuple[Rule, ...], cold: int) -> None:
        self.rules = rules
        self.whole: Alternation | None = None
        #: Each rule's `first_characters`, with `whole`.
        self.firsts: tuple[frozenset[str] | None, ...] = ()
        #: Tokens left to lex rule by rule before `whole` is built (negative: never).
        self.cold = cold
        self.by_character: dict[str, Alternation] = {}
        #: The alternations of `by_character`, by the rules (their indexes) they hold:
        #: characters that start the same rules share one.
        self.by_rules: dict[tuple[int, ...], Alternation] = {}
        #: How often each character has been looked up in `whole` so far.
        self.lookups: dict[str, int] = {}


class Lexicon:
    """The driver's tables for one `_tokens` of Pygments: a `State` for each of its states,
    made the first time the driver enters it (a block uses few of a lexer's states), its
    alternations built as it warms (`WARM_TOKENS`, `WARM_LOOKUPS`)."""

    def __init__(
        self,
        tokens: dict[str, list[tuple[Any, Any, Any]]],
        warm_tokens: int = WARM_TOKENS,
        warm_lookups: int = WARM_LOOKUPS,
    ) -> None:
        self.tokens = tokens
        self.warm_tokens = warm_tokens
        self.warm_lookups = warm_lookups
        self.states: dict[str, State] = {}

    def state(self, name: str) -> State:
        found = self.states.get(name)
        if found is None:
            rules = tuple(_rule(*rule) for rule in self.tokens[name])
            found = self.states[name] = State(rules, self.warm_tokens)
            if found.cold == 0:
                self.warm(found)
        return found

    @staticmethod
    def warm(state: State) -> None:
        """Build `state`'s whole alternation, if its rules embed (else leave it rule by rule)."""
        state.whole = alternation(state.rules)
        if state.whole is None:
            state.cold = -1
        else:
            state.firsts = tuple(first_characters(_pattern(rule)) for rule in state.rules)
            state.cold = 0

    def warm_ahead(self, share: float) -> None:
        """Build now what lexing `share` times as much as has been lexed so far would build:
        the whole alternation of each state that would lex `warm_tokens` tokens, and the
        alternation of each character that would be looked up `warm_lookups` times."""
        for state in list(self.states.values()):
            if state.cold > 0 and (self.warm_tokens - state.cold) * share >= state.cold:
                self.warm(state)
            if state.whole is None:
                continue
            for character, lookups in list(state.lookups.items()):
                if (
                    character.isascii()  # (the others take the whole alternation)
                    and character not in state.by_character
                    and lookups * (1 + share) >= self.warm_lookups
                ):
                    self.built_dispatch(state, character)

    def dispatch(self, state: State, character: str) -> Alternation:
        """The alternation to try at a position holding `character`: that of `state`'s rules
        that can match text starting with it, once built (all the rules before, and for a
        character past ASCII)."""
        whole = state.whole
        assert whole is not None
        if not character.isascii():
            state.by_character[character] = whole
            return whole
        lookups = state.lookups.get(character, 0) + 1
        if lookups < self.warm_lookups:
            state.lookups[character] = lookups
            return whole
        return self.built_dispatch(state, character)

    @staticmethod
    def built_dispatch(state: State, character: str) -> Alternation:
        """`state`'s alternation for the ASCII `character`, built now (see `dispatch`)."""
        whole = state.whole
        assert whole is not None
        indexes = tuple(
            i for i, first in enumerate(state.firsts) if first is None or character in first
        )
        found = state.by_rules.get(indexes)
        if found is None:
            if len(indexes) == len(state.rules):
                found = whole
            else:
                # The rules embedded in the whole alternation embed in any part of it.
                found = alternation(tuple(state.rules[i] for i in indexes)) or whole
            state.by_rules[indexes] = found
        state.by_character[character] = found
        return found


def _rule(rexmatch: Any, action: Any, new_state: Transition) -> Rule:
    from pygments.token import _TokenType

    return Rule(rexmatch, action, new_state, action if type(action) is _TokenType else None)


def lex(lexer: Lexer, text: str) -> Iterator[tuple[_TokenType, str]]:
    """`lexer.get_tokens(text)`: the same tokens, by the driver when it takes the lexer."""
    tables = lexicon(lexer)
    if tables is None:
        return lexer.get_tokens(text)
    return (
        (token, value)
        for _, token, value in tokens_unprocessed(lexer, tables, preprocessed(lexer, text))
    )


def preprocessed(lexer: Lexer, text: str) -> str:
    """The text as `Lexer.get_tokens` hands it to the lexer: Pygments' own preprocessing (BOM,
    newlines, the lexer's strip, tab and final-newline options), which `lexicon` checks the
    lexer has not replaced."""
    return str(lexer._preprocess_lexer_input(text))  # type: ignore[attr-defined]  # noqa: SLF001


# Built once per `_tokens` (a lexer class's, or one of its variants'), kept by its identity
# with the dictionary itself, so that the identity cannot be reused by another object.
_LEXICONS: dict[int, tuple[object, Lexicon | None]] = {}


def lexicon(lexer: Lexer) -> Lexicon | None:
    """The driver's tables for `lexer`, or None when it declines it: a lexer that does not run
    `RegexLexer`'s own loop and `Lexer`'s own preprocessing, has filters, or whose `_tokens`
    is not what the driver reads (Pygments' private internals, which a version could change)."""
    from pygments.lexer import Lexer, RegexLexer

    kind = type(lexer)
    if (
        _parser is None
        or getattr(kind, "get_tokens_unprocessed", None) is not RegexLexer.get_tokens_unprocessed
        or getattr(kind, "get_tokens", None) is not Lexer.get_tokens
        or getattr(kind, "_preprocess_lexer_input", None)
        is not getattr(Lexer, "_preprocess_lexer_input", kind)
        or lexer.filters
    ):
        return None
    tokens = getattr(lexer, "_tokens", None)
    known = _LEXICONS.get(id(tokens))
    if known is None or known[0] is not tokens:
        tables = Lexicon(tokens) if isinstance(tokens, dict) and _readable(tokens) else None
        known = _LEXICONS[id(tokens)] = (tokens, tables)
    return known[1]


def _readable(tokens: object) -> bool:
    """Whether `tokens` is a `_tokens` as this driver reads it: state names to lists of
    `(Pattern.match, token type | callable | None, transition)`, every state it names there."""
    from pygments.token import _TokenType

    if not isinstance(tokens, dict) or "root" not in tokens:
        return False
    for name, rules in tokens.items():
        if not isinstance(name, str) or not isinstance(rules, list):
            return False
        for rule in rules:
            if not isinstance(rule, tuple) or len(rule) != 3:
                return False
            rexmatch, action, new_state = rule
            pattern = getattr(rexmatch, "__self__", None)
            if not isinstance(pattern, re.Pattern) or rexmatch != pattern.match:
                return False
            if not isinstance(pattern.pattern, str):
                return False
            if not (action is None or type(action) is _TokenType or callable(action)):
                return False
            if not _known_transition(new_state, tokens):
                return False
    return True


def _known_transition(new_state: object, tokens: dict[Any, Any]) -> bool:
    if new_state is None or new_state == "#push":
        return True
    if isinstance(new_state, int):
        return not isinstance(new_state, bool)
    if isinstance(new_state, tuple):
        return all(s in ("#pop", "#push") or s in tokens for s in new_state)
    return False


def alternation(rules: tuple[Rule, ...]) -> Alternation | None:
    """`rules` as one regular expression, or None when one of them would not mean the same
    embedded in it (or it does not compile)."""
    if not rules:
        return Alternation(NOTHING, (None,))
    parts = []
    for rule in rules:
        embedded = _embedding(_pattern(rule))
        if embedded is None:
            return None
        parts.append(embedded)
    try:
        compiled = re.compile("|".join(parts))
    except (re.error, RecursionError, OverflowError):
        return None  # two rules name a group alike, say
    by_group: list[Rule | None] = [None] * (compiled.groups + 1)
    group = 1
    for rule in rules:
        by_group[group] = rule
        group += 1 + _pattern(rule).groups
    return Alternation(compiled.match, tuple(by_group))


def _pattern(rule: Rule) -> re.Pattern[str]:
    pattern: re.Pattern[str] = rule.match.__self__  # type: ignore[attr-defined]
    return pattern


@cache
def _embedding(pattern: re.Pattern[str]) -> str | None:
    """A rule's pattern as an alternative of its state's alternation, `((?m-isx:...))`: in a
    group of its own (whose number says it matched), with the flags Pygments compiled it with
    scoped to it (leading global flags, `(?i)`, would be an error inside an alternation). None
    when it would not mean the same there: its parse is compared with the rule's own, group
    numbers shifted by one (a numbered back-reference does not shift, and so differs; a named
    one does). The alternatives of an alternation are independent of one another, but for
    group names two rules share, which make it an error."""
    if _parser is None or pattern.flags & re.LOCALE:
        return None
    body = pattern.pattern
    leading = LEADING_FLAGS.match(body)
    if leading:
        body = body[leading.end() :]
    on = "".join(letter for flag, letter in SCOPED_FLAGS if pattern.flags & flag)
    off = "".join(letter for flag, letter in SCOPED_FLAGS if not pattern.flags & flag)
    if pattern.flags & re.ASCII:
        on += "a"
    # A verbose pattern may end in a comment, which would swallow the closing parentheses.
    end = "\n" if pattern.flags & re.VERBOSE else ""
    embedded = f"((?{on}{'-' + off if off else ''}:{body}{end}))"
    try:
        return embedded if _means_the_same(embedded, pattern) else None
    except UNREADABLE:
        return None


def _means_the_same(embedded: str, pattern: re.Pattern[str]) -> bool:
    """Whether the parse of `embedded` is `pattern`'s, inside its two groups (see `_embedding`)."""
    tree = _parser.parse(embedded, 0)
    own = _parser.parse(pattern.pattern, pattern.flags)
    c = _constants
    items = tree.data
    if len(items) != 1 or items[0][0] is not c.SUBPATTERN:
        return False
    outer, _, _, inside = items[0][1]
    if outer != 1 or len(inside.data) != 1 or inside.data[0][0] is not c.SUBPATTERN:
        return False
    scope, add_flags, del_flags, body_tree = inside.data[0][1]
    mask = re.IGNORECASE | re.MULTILINE | re.DOTALL | re.VERBOSE | re.ASCII
    if scope is not None or (tree.state.flags | add_flags) & ~del_flags & mask != (
        pattern.flags & mask
    ):
        return False
    return bool(_shape(own, 1) == _shape(body_tree, 0))


#: The characters a dispatch table has entries of its own for.
ASCII = tuple(chr(code) for code in range(128))


@cache
def first_characters(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """The ASCII characters a non-empty match of `pattern` can start with (a superset), or
    None when it can match the empty string or its first character cannot be worked out:
    such a rule is tried whatever the character at the position."""
    try:
        tree = _parser.parse(pattern.pattern, pattern.flags)
        first, empty = _starts(tree.data, tree.state.flags)
    except UNREADABLE:
        return None
    return None if first is None or empty else first


def _starts(items: list[Any], flags: int) -> tuple[frozenset[str] | None, bool]:
    """The first characters of a sequence of parsed items (None: any) and whether it can
    match the empty string."""
    c = _constants
    found: set[str] = set()
    first: frozenset[str] | None
    for op, av in items:
        if op in (c.LITERAL, c.NOT_LITERAL, c.ANY, c.IN):
            first, empty = _one_character(op, _shape(av, 0), flags), False
        elif op is c.SUBPATTERN:
            _, add_flags, del_flags, p = av
            first, empty = _starts(p.data, (flags | add_flags) & ~del_flags)
        elif op is c.ATOMIC_GROUP:
            first, empty = _starts(av.data, flags)
        elif op is c.BRANCH:
            union: frozenset[str] = frozenset()
            empty = False
            for alternative in av[1]:
                one, one_empty = _starts(alternative.data, flags)
                if one is None:
                    return None, True
                union, empty = union | one, empty or one_empty
            first = union
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            least, _, p = av
            first, empty = _starts(p.data, flags)
            empty = empty or least == 0
        elif op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            # Anchors and lookarounds match nothing themselves: what follows starts the match
            # (a superset of what can: the lookaround may rule some of it out).
            first, empty = frozenset(), True
        else:  # back-references, conditionals: any character
            return None, True
        if first is None:
            return None, True
        found |= first
        if not empty:
            return frozenset(found), False
    return frozenset(found), True


@cache
def _one_character(op: Any, av: Any, flags: int) -> frozenset[str]:
    """The ASCII characters one character item (a literal, a class, `.`) matches under
    `flags`, as Python's engine decides it (case variants under IGNORECASE included)."""
    if not flags & re.ASCII:
        flags |= re.UNICODE
    state = _parser.State()
    state.flags = flags
    matcher = _compiler.compile(_parser.SubPattern(state, [(op, _tree(av))]), flags).match
    return frozenset(character for character in ASCII if matcher(character))


def _tree(shape: Any) -> Any:
    """An item's argument back from its `_shape` (a class's items as a list, as parsed)."""
    if isinstance(shape, tuple) and shape and isinstance(shape[0], tuple):
        return [tuple(item) for item in shape]
    return shape


def _shape(node: Any, shift: int) -> Any:
    """A parse tree as nested tuples that compare by value, its group numbers plus `shift`."""
    c = _constants
    if isinstance(node, _parser.SubPattern):
        return tuple(_shape(item, shift) for item in node.data)
    if isinstance(node, tuple) and len(node) == 2 and node[0] in c.OPCODES:
        op, av = node
        if op is c.SUBPATTERN:
            group, add_flags, del_flags, p = av
            group = None if group is None else group + shift
            return (op, (group, add_flags, del_flags, _shape(p, shift)))
        if op is c.GROUPREF:
            return (op, av + shift)
        if op is c.GROUPREF_EXISTS:
            group, yes, no = av
            return (op, (group + shift, _shape(yes, shift), _shape(no, shift)))
        return (op, _shape(av, shift))
    if isinstance(node, list | tuple):
        return tuple(_shape(item, shift) for item in node)
    return node


def tokens_unprocessed(
    lexer: Lexer, tables: Lexicon, text: str
) -> Iterator[tuple[int, _TokenType, str]]:
    """`RegexLexer.get_tokens_unprocessed(lexer, text)`, over `tables` (see the module)."""
    from pygments.token import Error, Whitespace

    pos = 0
    end = len(text)
    stack = ["root"]
    states = tables.states
    dispatch = tables.dispatch
    state = states.get("root") or tables.state("root")
    while True:
        whole = state.whole
        rule: Rule | None = None
        if whole is not None:
            if pos < end:
                character = text[pos]
                whole = state.by_character.get(character) or dispatch(state, character)
            m = whole.match(text, pos)
            if m is not None:
                rule = whole.by_group[m.lastindex]  # type: ignore[index]
                assert rule is not None
                if rule.token is not None:
                    yield pos, rule.token, m.group(m.lastindex)  # type: ignore[arg-type]
                    pos = m.end()
                else:
                    m = rule.match(text, pos)
                    assert m is not None
                    if rule.action is not None:
                        yield from rule.action(lexer, m)
                    pos = m.end()
        else:
            if state.cold > 0:
                state.cold -= 1
                if state.cold == 0:
                    tables.warm(state)  # from the next token on
                if pos < end:  # counted for `Lexicon.warm_ahead`, and then `dispatch`
                    character = text[pos]
                    state.lookups[character] = state.lookups.get(character, 0) + 1
            for candidate in state.rules:
                m = candidate.match(text, pos)
                if m is not None:
                    rule = candidate
                    if rule.token is not None:
                        yield pos, rule.token, m.group()
                    elif rule.action is not None:
                        yield from rule.action(lexer, m)
                    pos = m.end()
                    break
        if rule is None:
            # No rule matched: a newline resets to root, any other character is an error.
            if pos >= len(text):
                return
            if text[pos] == "\n":
                stack = ["root"]
                state = states.get("root") or tables.state("root")
                yield pos, Whitespace, "\n"
            else:
                yield pos, Error, text[pos]
            pos += 1
            continue
        new_state = rule.new_state
        if new_state is not None:
            _transition(stack, new_state)
            state = states.get(stack[-1]) or tables.state(stack[-1])


def _transition(stack: list[str], new_state: tuple[str, ...] | int | str) -> None:
    """`stack` after a rule's transition, as stock `get_tokens_unprocessed` makes it."""
    if isinstance(new_state, tuple):
        for name in new_state:
            if name == "#pop":
                if len(stack) > 1:
                    stack.pop()
            elif name == "#push":
                stack.append(stack[-1])
            else:
                stack.append(name)
    elif isinstance(new_state, int):
        # pop, but keep at least one state on the stack
        if abs(new_state) >= len(stack):
            del stack[1:]
        else:
            del stack[new_state:]
    else:  # "#push" (`_readable` let no other string through)
        stack.append(stack[-1])


def warm_ahead(share: float) -> None:
    """Build now the tables (`Lexicon.warm_ahead`) that lexing `share` times as much as this
    process has lexed would build. Called before worker processes fork, each of which would
    otherwise build the same tables for itself: `share` is each one's part of the work ahead,
    in units of the work done here."""
    if share <= 0:
        return
    for _, tables in list(_LEXICONS.values()):
        if tables is not None:
            tables.warm_ahead(share)
