"""Chats saved as XML inside a text file (`chatdeck.xml_chats`), read through the whole parse."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from chatdeck.parse import Verdict, parse_transcript
from chatdeck.read import parse_text, split_lines
from chatdeck.xml_chats import read_xml_chat

#: One exchange as Caret's full-page chat saves it (views/chat.ts, `saveChat`): the whole note in
#: a ```xml fence closed by backticks glued to the last line, the texts XML-escaped.
CARET_ONE = (
    "```xml\n        <root>\n\t\t<metadata>\n<id>a1B2c</id>\n</metadata>\n\t\t<conversation>\n"
    "<message>\n                    <role>user</role>\n"
    "                    <content>why does `a -&gt; b` print &apos;x&apos;?</content>\n"
    "                </message><message>\n                    <role>assistant</role>\n"
    "                    <content>Because `-&gt;` is a pipe here:\n\n```sh\n"
    "echo &quot;x&quot; &amp;&amp; true\n```\n\nThat prints x.</content>\n"
    "                </message></conversation></root>```"
)


def notes_of(text: str) -> list[tuple[str, str]]:
    parsed = parse_transcript(parse_text(text, "chat.md"))
    return [(note.question, note.answer) for note in parsed.notes]


def test_a_chat_saved_as_xml_in_a_fence_reads_as_its_messages_with_entities_read() -> None:
    assert notes_of(CARET_ONE) == [
        (
            "why does `a -> b` print 'x'?",
            'Because `->` is a pipe here:\n\n```sh\necho "x" && true\n```\n\nThat prints x.',
        )
    ]


def test_every_line_of_the_xml_is_claimed_once_and_the_speakers_are_markers() -> None:
    parsed = parse_transcript(parse_text(CARET_ONE, "chat.md"))
    markers = sorted(d.line for d in parsed.decisions if d.verdict is Verdict.MARKER)
    assert markers == [8, 11]
    left_out = {d.line for d in parsed.decisions if d.verdict is Verdict.LEFT_OUT}
    assert left_out == {1, 2, 3, 4, 5, 6, 7, 10, 19}


def test_a_speaker_attribute_and_a_text_element_read_the_same() -> None:
    xml = (
        '<chat>\n<message author="user"><text>\nwhat is 2 + 2?\n</text></message>\n'
        '<message author="model"><text>\nIt is 4.\n</text></message>\n</chat>\n'
    )
    assert notes_of(xml) == [("what is 2 + 2?", "It is 4.")]


def test_a_reply_that_shows_xml_is_no_chat_saved_as_xml() -> None:
    """The file must be one XML document: a chat whose reply holds such a document is read
    by its own markers."""
    reply = "```xml\n<message><role>user</role><content>hi</content></message>\n```"
    chat = f"## User\n\nhow does Caret save a chat?\n\n## Assistant\n\nLike this:\n\n{reply}\n"
    assert notes_of(chat) == [("how does Caret save a chat?", f"Like this:\n\n{reply}")]


def test_a_document_type_declaration_is_refused() -> None:
    xml = (
        '<!DOCTYPE c [<!ENTITY a "aaaa">]>\n<c>\n<m><role>user</role><content>&a;?</content></m>\n'
        "<m><role>assistant</role><content>No.</content></m>\n</c>\n"
    )
    assert read_xml_chat(split_lines(xml)) is None


def test_two_messages_on_one_line_are_not_read_line_by_line() -> None:
    xml = (
        "<c><m><role>user</role><content>a?</content></m>"
        "<m><role>assistant</role><content>b</content></m></c>\n"
    )
    assert read_xml_chat(split_lines(xml)) is None


def test_cdata_text_is_read_as_written() -> None:
    xml = (
        "<c>\n<m>\n<role>user</role>\n<content><![CDATA[is <b> & <i> valid?]]></content>\n</m>\n"
        "<m>\n<role>assistant</role>\n<content>Yes.</content>\n</m>\n</c>\n"
    )
    chat = read_xml_chat(split_lines(xml))
    assert chat is not None
    assert chat.text[3] == "is <b> & <i> valid?"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="<>/&;#x\n `\"'=abcru:[]!-CDATA", max_size=200))
def test_any_text_gives_a_chat_or_none_never_an_error(text: str) -> None:
    chat = read_xml_chat(split_lines(text))
    if chat is not None:
        assert len(chat.speakers) >= 2
