"""chatdeck.lexing: Pygments' tokens, exactly, for every lexer the driver takes."""

from __future__ import annotations

import importlib
import re
import signal
from collections.abc import Callable, Iterator
from functools import cache
from itertools import islice
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer, RegexLexer, bygroups, default, include
from pygments.lexers import get_lexer_by_name
from pygments.lexers._mapping import LEXERS
from pygments.token import Comment, Keyword, Name, Number, Punctuation, String, Text
from pygments.util import ClassNotFound

from chatdeck import lexing
from chatdeck.render import highlight_code, highlight_within

ROOT = Path(__file__).resolve().parent.parent
_parser: Any = importlib.import_module("re._parser")
_constants: Any = importlib.import_module("re._constants")


def lexer_class(name: str) -> type[Lexer]:
    module = LEXERS[name][0]
    kind: type[Lexer] = getattr(importlib.import_module(module), name)
    return kind


def chatdecks(kind: type[Lexer]) -> Lexer:
    """A lexer with the options `chatdeck.render` gives it."""
    return kind(stripnl=False, ensurenl=False)


@cache
def driven() -> tuple[str, ...]:
    """Every lexer class of Pygments' that the driver takes."""
    return tuple(
        name for name in sorted(LEXERS) if lexing.lexicon(chatdecks(lexer_class(name))) is not None
    )


class TookTooLong(Exception):
    pass


def _took_too_long(signum: int, frame: object) -> None:
    raise TookTooLong


#: The most tokens of one lexing compared: some of Pygments' lexers loop forever on some text
#: (a rule matching nothing, with no state change), stock and driver alike.
TOKEN_LIMIT = 10_000
#: The most CPU time one lexing may take, for a loop that yields nothing.
LEXING_SECONDS = 3.0


def outcome(run: Callable[[], Iterator[Any]]) -> object:
    """The tokens, or the exception, of a lexing (a lexer may raise on some text; the driver
    must then raise the same), up to `TOKEN_LIMIT` tokens or `LEXING_SECONDS`."""
    tokens: list[Any] = []
    previous = signal.signal(signal.SIGVTALRM, _took_too_long)
    signal.setitimer(signal.ITIMER_VIRTUAL, LEXING_SECONDS)
    try:
        tokens.extend(islice(run(), TOKEN_LIMIT))
        return tokens
    except TookTooLong:
        return ("looped", tokens)
    except Exception as error:  # noqa: BLE001 - compared, not swallowed
        return ("raised", type(error), str(error), tokens)
    finally:
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        signal.signal(signal.SIGVTALRM, previous)


#: Thresholds of `lexing.Lexicon` the tests run with besides the build's: alternations built
#: on first use, and built a few tokens in (the state changes tier in the middle of a text).
EAGER = (0, 0)
SWITCHING = (5, 2)
_LEXICONS: dict[tuple[int, tuple[int, int]], tuple[object, lexing.Lexicon]] = {}


def tables_of(lexer: Lexer, warm: tuple[int, int]) -> lexing.Lexicon:
    """A lexicon of the lexer's with thresholds `warm`, kept for the test run."""
    assert lexing.lexicon(lexer) is not None
    tokens = lexer._tokens  # type: ignore[attr-defined]  # noqa: SLF001
    known = _LEXICONS.get((id(tokens), warm))
    if known is None or known[0] is not tokens:
        known = _LEXICONS[(id(tokens), warm)] = (tokens, lexing.Lexicon(tokens, *warm))
    return known[1]


def assert_same_tokens(lexer: Lexer, text: str) -> None:
    """The driver's tokens are stock's: after preprocessing, and with their positions whatever
    alternations the states have built."""
    assert outcome(lambda: lexing.lex(lexer, text)) == outcome(lambda: lexer.get_tokens(text))
    prepared = lexing.preprocessed(lexer, text)
    stock = outcome(lambda: lexer.get_tokens_unprocessed(prepared))
    for warm in (EAGER, SWITCHING):
        tables = tables_of(lexer, warm)
        driven = outcome(lambda t=tables: lexing.tokens_unprocessed(lexer, t, prepared))
        assert driven == stock


def test_a_state_is_lexed_rule_by_rule_until_warm() -> None:
    lexer = get_lexer_by_name("python")
    tables = lexing.Lexicon(lexer._tokens, warm_tokens=3, warm_lookups=2)  # type: ignore[attr-defined]  # noqa: SLF001
    list(lexing.tokens_unprocessed(lexer, tables, "x"))  # two tokens: `x`, and no match at the end
    root = tables.state("root")
    assert root.whole is None and root.cold == 1
    list(lexing.tokens_unprocessed(lexer, tables, "x = y\n"))
    assert root.whole is not None and root.cold == 0
    assert set(root.by_character) == {" "}  # looked up twice; `=`, `y` once, `x` by rule
    list(lexing.tokens_unprocessed(lexer, tables, "x x\n"))
    assert root.by_character["x"] is not root.whole


def test_warming_ahead_builds_what_the_share_ahead_would() -> None:
    """`warm_ahead(share)` builds now what lexing `share` times as much again would build:
    the state's alternation once its tokens so far, times the share, reach the tokens it still
    lexes rule by rule; a character's alternation once its lookups would reach the threshold."""
    lexer = get_lexer_by_name("python")
    tables = lexing.Lexicon(lexer._tokens, warm_tokens=10, warm_lookups=4)  # type: ignore[attr-defined]  # noqa: SLF001
    list(lexing.tokens_unprocessed(lexer, tables, "x = y\n"))  # 6 tokens and the end: 7 tries
    root = tables.state("root")
    tables.warm_ahead(0.25)  # fewer than two tries more: not the three left
    assert root.whole is None and root.cold == 3
    tables.warm_ahead(1)
    assert root.whole is not None and root.cold == 0
    assert set(root.by_character) == {" "}  # looked up twice, twice again ahead: four
    text = "x = y  # why\nprint(f'{x!r}')\n"
    driven = list(lexing.tokens_unprocessed(lexer, tables, text))
    assert driven == list(lexer.get_tokens_unprocessed(text))


# --- generated text -------------------------------------------------------------------------

#: Pieces of code in many languages: quotes, comments, brackets, numbers, escapes, newlines.
FRAGMENTS = (
    *"\"'`()[]{}<>;:,.=+-*/%!?&|^~@#$\\_",
    *(" ", "  ", "\t", "\n", "\n\n", "\r\n", "\r", "\x0c"),
    *('"""', "'''", "//", "/*", "*/", "<!--", "-->", "--", "#!", "{%", "%}", "{{", "}}", "${"),
    *("<<", ">>", "=>", "->", "::", "...", "**", "&&", "||", "==", "!=", "<=", "\\n", "\\'"),
    *("0", "42", "0x1F", "1.5e-3", "07", "1_000", "3j", "0b101", "1L", "2.", ".5"),
    *("if", "else", "def", "class", "return", "function", "end", "begin", "let", "fn"),
    *("import", "include", "SELECT", "from", "where", "null", "True", "self", "this", "var"),
    *("x", "foo", "Bar", "_y1", "a.b", "é", "λ", "中文", "ß", "İ", "ǅ", "\u212a", "😀", "\u2028"),
)


@cache
def pattern_words(name: str) -> tuple[str, ...]:
    """Literal runs in the lexer's own regular expressions (keywords, delimiters, openers of
    its states), so that generated text reaches past its root state."""
    lexer = chatdecks(lexer_class(name))
    words: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, _parser.SubPattern):
            run = ""
            for op, av in node.data:
                if op is _constants.LITERAL:
                    run += chr(av)
                    continue
                if run:
                    words.add(run)
                run = ""
                walk(av)
            if run:
                words.add(run)
        elif isinstance(node, list | tuple):
            for item in node:
                walk(item)

    for rules in getattr(lexer, "_tokens", {}).values():
        for rexmatch, _, _ in rules:
            pattern = rexmatch.__self__
            walk(_parser.parse(pattern.pattern, pattern.flags))
    return tuple(sorted(words)) or ("x",)


def code_like(name: str) -> st.SearchStrategy[str]:
    return st.lists(
        st.one_of(
            st.sampled_from(pattern_words(name)),
            st.sampled_from(FRAGMENTS),
            st.text(max_size=3),
        ),
        max_size=40,
    ).map("".join)


@pytest.mark.parametrize("name", driven())
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_every_driven_lexer_gives_stock_tokens_on_code_like_text(name: str, data: Any) -> None:
    lexer = chatdecks(lexer_class(name))
    assert_same_tokens(lexer, data.draw(code_like(name)))


def test_the_driver_takes_the_lexers_of_common_languages() -> None:
    """Most of Pygments' lexers run the stock loop; those of the languages the user's code
    blocks are in among them."""
    for language in ("python", "rust", "javascript", "typescript", "go", "css", "sql", "bash"):
        assert lexing.lexicon(get_lexer_by_name(language)) is not None, language
    assert len(driven()) > len(LEXERS) // 2


@settings(max_examples=200, deadline=None)
@given(
    text=st.lists(
        st.sampled_from(("\ufeff", "\r\n", "\r", "\n", "\t", "  ", "x = 1", "'s'", "# c", "é")),
        max_size=20,
    ).map("".join),
    stripnl=st.booleans(),
    stripall=st.booleans(),
    ensurenl=st.booleans(),
    tabsize=st.integers(0, 8),
)
def test_tokens_are_stocks_whatever_the_lexers_preprocessing_options(
    text: str, stripnl: bool, stripall: bool, ensurenl: bool, tabsize: int
) -> None:
    options = {"stripnl": stripnl, "stripall": stripall, "ensurenl": ensurenl, "tabsize": tabsize}
    for language in ("python", "rust", "ini"):
        lexer = get_lexer_by_name(language, **options)
        assert_same_tokens(lexer, text)


# --- the user's code blocks -----------------------------------------------------------------

FENCE = re.compile(r"^([ \t>]*)(```+|~~~+)[ \t]*([\w+#.-]+)[^\n]*\n(.*?)^\1\2", re.M | re.S)


def fenced_blocks() -> list[tuple[str, str, str]]:
    """(file, language, code) of every fenced block of the fixtures and the user's source/."""
    blocks = []
    for folder in (ROOT / "tests" / "fixtures", ROOT / "source"):
        for path in sorted(folder.rglob("*")):
            if not path.is_file():
                continue
            try:
                text = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue
            for match in FENCE.finditer(text):
                code = match.group(4)
                if match.group(1):  # in a quote or list: the prefix of each line is not code
                    code = re.sub(f"(?m)^{re.escape(match.group(1))}", "", code)
                relative = str(path.relative_to(ROOT))
                blocks.append((relative, match.group(3).lower(), code))
    return blocks


def test_the_fixtures_and_sources_hold_code_blocks_for_the_driver() -> None:
    driven_blocks = [b for b in fenced_blocks() if known(b[1]) and lexing.lexicon(known(b[1]))]
    assert len(driven_blocks) >= 50
    assert any(path.startswith("source") for path, _, _ in driven_blocks)


def known(language: str) -> Lexer | None:
    try:
        return get_lexer_by_name(language, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None


def test_the_code_blocks_of_fixtures_and_sources_are_highlighted_as_by_pygments() -> None:
    formatter = HtmlFormatter(nowrap=True)
    compared = 0
    for path, language, code in fenced_blocks():
        lexer = known(language)
        if lexer is None:
            continue
        assert highlight_code(code, language) == highlight(code, lexer, formatter), path
        if lexing.lexicon(lexer) is not None:
            assert_same_tokens(lexer, code)
            compared += 1
    assert compared >= 50


# --- what the driver declines ---------------------------------------------------------------


def test_a_lexer_with_its_own_loop_goes_through_pygments() -> None:
    ruby = get_lexer_by_name("ruby")  # an ExtendedRegexLexer
    assert lexing.lexicon(ruby) is None
    code = 'def f(x) = "#{x} #{1 + 2}"\nputs f(3)\n'
    assert list(lexing.lex(ruby, code)) == list(ruby.get_tokens(code))
    assert highlight_code(code, "ruby") == highlight(code, ruby, HtmlFormatter(nowrap=True))


def test_a_lexer_with_filters_goes_through_pygments() -> None:
    python = get_lexer_by_name("python")
    python.add_filter("keywordcase", case="upper")
    assert lexing.lexicon(python) is None
    assert ("Token.Keyword", "DEF") in [(str(t), v) for t, v in lexing.lex(python, "def f(): 1")]


class Plain(RegexLexer):
    tokens = {"root": [(r"\w+", Name), (r"\W", Text)]}


class Overriding(Plain):
    def get_tokens_unprocessed(self, text: str, stack: Any = ("root",)) -> Any:
        for index, token, value in super().get_tokens_unprocessed(text, stack):
            yield index, (Keyword if value == "if" else token), value


def test_a_lexer_overriding_the_loop_goes_through_pygments() -> None:
    lexer = Overriding()
    assert lexing.lexicon(lexer) is None
    assert list(lexing.lex(lexer, "if x")) == list(lexer.get_tokens("if x"))


@pytest.mark.parametrize(
    "tokens",
    [
        {"root": [(re.compile("a").match, Name, None, "extra")]},  # a rule of four
        {"root": [(lambda text, pos: None, Name, None)]},  # not a Pattern's match
        {"root": [(re.compile("a").match, "Name", None)]},  # an action that is neither
        {"root": [(re.compile("a").match, Name, ("nowhere",))]},  # an unknown state
        {"root": [(re.compile("a").match, Name, "#pop")]},  # a transition left unprocessed
        {"start": []},  # no root
        [("root", [])],  # not a dictionary
    ],
)
def test_internals_other_than_expected_are_declined_not_crashed_on(tokens: Any) -> None:
    lexer = Plain()
    assert lexing.lexicon(lexer) is not None
    lexer._tokens = tokens  # noqa: SLF001
    assert lexing.lexicon(lexer) is None


class Embedding(RegexLexer):
    """Rules that change meaning when embedded naively, and rules whose order matters."""

    tokens = {
        "root": [
            (r"(?i)select\b", Keyword),  # a leading global flag
            (r"(?x) \d+ (?: \. \d+ )?  # a number, its comment unclosed", Number),
            (r"(?P<quote>['\"])(?:(?!(?P=quote)).)*(?P=quote)", String),  # a named reference
            (r"sel", Name.Builtin),  # after `select` and its `(?i)`: only if that failed
            (r"(\w+)(\()", bygroups(Name.Function, Punctuation)),  # a callback
            (r"\w+", Name),
            (r"/\*", Comment, "comment"),
            (r"\s+", Text),
            (r"\{", Punctuation, "#push"),
            (r"\}", Punctuation, "#pop"),
        ],
        "comment": [
            (r"(<)(\w+)(>)(.*?)(</\2>)", bygroups(*[Comment.Special] * 5)),  # a numbered one
            (r"\*/", Comment, "#pop"),
            (r"[^*<]+", Comment),
            include("star"),
        ],
        "star": [(r"\*", Comment), default("#pop")],
    }


def test_states_whose_rules_embed_are_one_alternation_and_others_rule_by_rule() -> None:
    lexer = Embedding()
    tables = tables_of(lexer, EAGER)
    assert tables.state("root").whole is not None
    assert tables.state("comment").whole is None  # `\2` would name another group embedded
    assert tables.state("star").whole is not None
    code = 'SELECT sel selx 3.25 \'a"b\' "c" f(x) {/* <b>bold</b> * x */} } } 12\n$\n'
    assert_same_tokens(lexer, code)
    values = [(str(t), v) for t, v in lexing.lex(lexer, code)]
    assert ("Token.Keyword", "SELECT") in values
    assert ("Token.Name.Builtin", "sel") in values
    assert values[values.index(("Token.Text", " ")) + 1 :][:4] == [
        ("Token.Name.Builtin", "sel"),
        ("Token.Text", " "),
        ("Token.Name.Builtin", "sel"),  # `sel` before `\\w+`, as stock: `selx` is two tokens
        ("Token.Name", "x"),
    ]
    assert ("Token.Literal.Number", "3.25") in values
    assert ("Token.Comment.Special", "bold") in values
    assert ("Token.Error", "$") in values


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            re.findall(r"\w+|\W", "SELECT sel x(1.5) 'a' /* <b>i</b> **/ {}") + ["\n", "*", '"']
        ),
        max_size=30,
    ).map("".join)
)
def test_hand_made_rules_give_stock_tokens(code: str) -> None:
    assert_same_tokens(Embedding(), code)


# --- the deadline ---------------------------------------------------------------------------


def test_the_deadline_interrupts_the_driver() -> None:
    """Python's lexer takes time growing with the square of a run of lines holding a space; the
    CPU timer's signal stops the driver inside the regular expression engine as it stops stock."""
    assert lexing.lexicon(get_lexer_by_name("python")) is not None
    slow = " \n" * 20_000
    assert highlight_within(slow, "python", 0.01, 0) is None
    assert highlight_within("x = 1\n", "python", 1.0, 0) == highlight(
        "x = 1\n",
        get_lexer_by_name("python", stripnl=False, ensurenl=False),
        HtmlFormatter(nowrap=True),
    )


# --- first-character dispatch ---------------------------------------------------------------

ATOMS = (
    *("a", "b", "k", "K", "\\.", ".", "\\n", " ", "é", "\u212a"),  # U+212A is a K under (?i)
    *("[a-c]", "[^a]", "[A-Z_]", "[\\d.]", "\\w", "\\d", "\\s", "\\W", "\\S"),
    *("^", "$", "\\b", "\\B", "\\A", "\\Z", "(?<=a)", "(?<!\\n)"),
)


def wrapped(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    two = st.tuples(inner, inner)
    return st.one_of(
        two.map("".join),
        two.map(lambda pair: f"(?:{pair[0]}|{pair[1]})"),
        st.tuples(inner, st.sampled_from(("*", "+", "?", "{0,2}", "{2}", "*?", "++", "?+"))).map(
            lambda pair: f"(?:{pair[0]}){pair[1]}"
        ),
        st.tuples(inner, st.sampled_from(("(?=", "(?!", "(?i:", "(?-i:", "(?s:", "(", "(?>"))).map(
            lambda pair: f"{pair[1]}{pair[0]})"
        ),
    )


@settings(max_examples=1000, deadline=None)
@given(
    source=st.recursive(st.sampled_from(ATOMS), wrapped, max_leaves=8),
    flags=st.sampled_from((0, re.I, re.M, re.S, re.I | re.M, re.A | re.I)),
    before=st.sampled_from(("", "a", "\n", " ", "é")),
    text=st.text(alphabet="abckK.é\n _1AZ\u212a", max_size=6),
)
def test_first_characters_hold_every_character_a_match_starts_with(
    source: str, flags: int, before: str, text: str
) -> None:
    """A rule is left out of a character's alternation only if it cannot match there."""
    pattern = re.compile(source, flags)
    first = lexing.first_characters(pattern)
    match = pattern.match(before + text, len(before))
    if match is None or first is None:
        return
    assert match.end() > len(before), "a pattern matching the empty string has no first characters"
    if text[0].isascii():
        assert text[0] in first


@pytest.mark.parametrize(
    ("source", "flags", "expected"),
    [
        ("abc|d", 0, "ad"),
        ("(?i)k", 0, "kK"),
        ("k", re.I, "kK"),
        ("(?i:s)t", 0, "sS"),
        ("\u212a", re.I, "kK"),  # the Kelvin sign is a K to Python's engine, in either case
        ("a?b*c", 0, "abc"),
        ("(?=x)[xy]", 0, "xy"),
        ("(?<!\\.)(self|cls)\\b", 0, "sc"),
        ("^[ \\t]*#", re.M, " \t#"),
        ("\\d+", 0, "0123456789"),
        ("\\d+", re.A, "0123456789"),
    ],
)
def test_first_characters_of_common_shapes(source: str, flags: int, expected: str) -> None:
    assert lexing.first_characters(re.compile(source, flags)) == frozenset(expected)


@pytest.mark.parametrize("source", ["x*", "(?=a)", "", "^$", "(a)?\\1b", "(?:a|)", "(a)?(?(1)b|c)"])
def test_rules_that_may_match_nothing_or_cannot_be_read_start_anywhere(source: str) -> None:
    assert lexing.first_characters(re.compile(source)) is None


def test_a_state_dispatches_each_character_to_the_rules_that_can_start_with_it() -> None:
    lexer = Embedding()
    tables = tables_of(lexer, EAGER)
    root = tables.state("root")
    patterns = [lexing._pattern(rule).pattern for rule in root.rules]  # noqa: SLF001

    def dispatched(character: str) -> list[str]:
        alternation = tables.dispatch(root, character)
        return [patterns[root.rules.index(r)] for r in alternation.by_group if r is not None]

    assert dispatched("S") == [patterns[0], patterns[4], patterns[5]]  # (?i)select, \w+( , \w+
    assert dispatched("s") == [patterns[0], patterns[3], patterns[4], patterns[5]]
    assert dispatched("'") == [patterns[2]]
    assert dispatched("/") == [patterns[6]]
    assert dispatched("$") == []
    assert tables.dispatch(root, "é") is root.whole  # past ASCII: every rule
    assert root.by_character["s"] is tables.dispatch(root, "s")


def test_a_regular_expression_parser_other_than_expected_leaves_states_rule_by_rule(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The driver reads Python's private `re._parser`: one that is not what it reads makes it
    decline the rules (tried one by one, as stock), not crash."""
    monkeypatch.setattr(lexing, "_constants", object())  # no opcodes at all
    lexing._embedding.cache_clear()  # noqa: SLF001
    lexing.first_characters.cache_clear()
    try:
        lexer = Embedding()
        tables = lexing.Lexicon(lexer._tokens, 0, 0)  # type: ignore[attr-defined]  # noqa: SLF001
        assert tables.state("root").whole is None
        code = "SELECT sel x(1) /* <b>c</b> */\n"
        assert list(lexing.tokens_unprocessed(lexer, tables, code)) == list(
            lexer.get_tokens_unprocessed(code)
        )
    finally:
        monkeypatch.undo()
        lexing._embedding.cache_clear()  # noqa: SLF001
        lexing.first_characters.cache_clear()
