"""Code and output pasted into a question without a fence (`chatdeck.pasted_code`)."""

from __future__ import annotations

import pytest
from conftest import SOURCE
from hypothesis import given, settings
from hypothesis import strategies as st
from test_parse import read_bytes, transcript_text

from chatdeck.build import plan
from chatdeck.parse import parse_transcript
from chatdeck.pasted_code import fence_pasted_code, pasted_output, program_output


def test_a_log_above_the_asking_line_is_fenced_and_the_words_around_it_are_not() -> None:
    question = (
        "I get this when I run make:\n\n$ make\ncc -Wall -O2 -c src/util.c -o build/util.o\n"
        "make: *** No rule to make target 'build/main.o'.  Stop.\n\nwhy does it not find it?"
    )
    assert fence_pasted_code(question) == (
        "I get this when I run make:\n\n```\n$ make\ncc -Wall -O2 -c src/util.c -o build/util.o\n"
        "make: *** No rule to make target 'build/main.o'.  Stop.\n```\n\nwhy does it not find it?"
    )


def test_paragraphs_of_code_with_blank_lines_between_are_one_fence() -> None:
    question = (
        "import os\n\ndef main():\n    print(os.getcwd())\n\nmain()\n\n"
        "this prints the wrong folder when cron runs it, why"
    )
    fenced = fence_pasted_code(question)
    assert fenced.startswith("```\nimport os\n\ndef main():")
    assert fenced.endswith("main()\n```\n\nthis prints the wrong folder when cron runs it, why")


def test_code_indented_under_a_run_of_code_goes_on_in_its_fence() -> None:
    """A page that set each line of a prompt apart (gemini.google.com's copy): `def main():`,
    then its indented body as a paragraph of its own, then `main()`: one fence; an indented
    paragraph under words stays Markdown's own indented code."""
    question = (
        "I have this script:\n\nimport csv\n\ndef main():\n\n    with open(p) as f:\n\n"
        "        print(f.read())\n\nmain()\n\nhow do I pass the path?"
    )
    assert fence_pasted_code(question) == (
        "I have this script:\n\n```\nimport csv\n\ndef main():\n\n    with open(p) as f:\n\n"
        "        print(f.read())\n\nmain()\n```\n\nhow do I pass the path?"
    )
    words = "I have this note:\n\n    indented words\n\nwhy?"
    assert fence_pasted_code(words) == words


def test_a_sentence_glued_under_a_traceback_stays_out_of_the_fence() -> None:
    question = (
        'Traceback (most recent call last):\n  File "main.py", line 4, in <module>\n'
        "TypeError: 'tuple' object does not support item assignment\n"
        "why do i get this when i change a point"
    )
    fenced = fence_pasted_code(question)
    assert fenced.endswith("assignment\n```\nwhy do i get this when i change a point")


def test_a_fence_uses_tildes_around_code_that_holds_backticks() -> None:
    question = "x = f'''\n```\n'''\ny = g(x)\n\nwhy?"
    # the question holds a fence line of its own: left as the user wrote it
    assert fence_pasted_code(question) == question
    inline = 'fence = "```"\nprint(fence + text)\n\nwhy?'
    assert fence_pasted_code(inline).startswith('~~~\nfence = "```"')


def test_markdown_a_user_meant_and_prose_stay_as_written() -> None:
    for question in (
        "1. what is a = b?\n2. and a := b?",
        "| a | b |\n|---|---|\n| 1 | 2 |\n\nwhich column is the key?",
        "> quoted (from the docs) [1]\n\nwhat does it mean?",
        "I tried f(x) and g(y) in the shell, as the docs say.\nIt prints nothing at all, though.",
        "what is a closure?\nand why does it keep the variables alive?",
        "```python\nx = 1\n```\n\nwhy?",
        "    indented = code(block)\n    already = fine()\n\nwhy?",
        "one line",
    ):
        assert fence_pasted_code(question) == question, question


def test_no_seed_question_changes() -> None:
    """The user's own transcripts: questions typed as Markdown, no pasted code left bare."""
    notes = plan([SOURCE]).merged
    assert len(notes) > 30
    assert [fence_pasted_code(note.question) for note in notes] == [n.question for n in notes]


@settings(max_examples=200, deadline=None)
@given(transcript_text())
def test_fencing_adds_fence_lines_and_nothing_else(text: str) -> None:
    for note in parse_transcript(read_bytes(text.encode())).notes:
        fenced = fence_pasted_code(note.question).split("\n")
        assert [line for line in fenced if line not in ("```", "~~~")] == [
            line for line in note.question.split("\n") if line not in ("```", "~~~")
        ]


@given(
    st.lists(
        st.sampled_from(
            [
                "x = f(y)",
                "$ ls -la",
                "Traceback (most recent call last):",
                "  return g(x)",
                "",
                "why?",
                "words of a sentence here.",
            ]
        )
    )
)
def test_fences_pair_up(lines: list[str]) -> None:
    fenced = fence_pasted_code("\n".join(lines)).split("\n")
    assert sum(line in ("```", "~~~") for line in fenced) % 2 == 0


#: Real pastes not fenced yet, and why (each a strict xfail below).
NOT_FENCED_YET = {
    "test_python_and_r_console_sessions_are_fenced": "R's `> ` prompt reads as a quote",
    "test_rust_panics_and_compiler_errors_are_fenced": "rustc's backticks read as inline code",
    "test_a_git_diff_is_fenced": "a diff's `-`/`+` lines read as list items",
    "test_every_section_of_an_ini_file_is_fenced": "`key = value` under a bare `[name]`: no shape",
    "test_a_javadoc_comment_is_not_read_as_a_list": "` * @param` lines read as list items",
}


def fenced(code: str, after: str) -> str:
    return f"```\n{code}\n```\n\n{after}"


# --- The user's math, prose and Markdown stay as written ----------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "Solve for x: $2x + 3 = 7$\nShow all steps",
        "Prove that $f(x) = x^2$ is continuous on $[0,1]$\nusing the epsilon-delta definition",
        "Let $x = (a+b)^2$ and $y = (a-b)^2$\nFind $x - y$",
        "\\(f(x) = e^{x}\\)\n\\(g(x) = \\ln(x)\\)\n\nfind (f∘g)(x)",
        "Simplify \\[\\frac{(x+1)^2}{x^2-1}\\]\nand state the domain",
        "Compute\n$$\n\\int_0^1 (x^2 + 1)\\,dx\n$$\nstep by step",
        "Berechne $\\sum_{k=1}^{n} k^2$\nund beweise die Formel per Induktion",
    ],
)
def test_a_question_with_tex_math_stays_math(question: str) -> None:
    assert fence_pasted_code(question) == question


@pytest.mark.parametrize(
    "question",
    [
        "求函数 f(x) = x^2 + 2x 的最小值\n请写出详细步骤",
        "f(x) = sin(x) の導関数を求めてください。\n途中式も書いてください。",
        "Найдите производную f(x) = sin(x)cos(x)\nс подробным решением",
        "Calcula el límite de (x^2 - 1)/(x - 1) cuando x → 1\nexplica cada paso",
        "f(x) = 3x^2 + 2x का अवकलज (derivative) ज्ञात कीजिए\nहर चरण समझाइए",
        "أوجد مشتقة الدالة f(x) = x^3\nمع شرح الخطوات",
        "f(x) = x^2 + 1 의 최솟값을 구하세요\n풀이 과정도 보여주세요",
        "Python 里 list.append(x) 和 list + [x] 有什么区别\n哪个更快",
    ],
)
def test_a_formula_written_in_a_sentence_in_any_language_is_not_fenced(question: str) -> None:
    assert fence_pasted_code(question) == question


@pytest.mark.parametrize(
    "question",
    [
        "difference between `a == b` and `a is b` in python\nand when to use each",
        "`df.groupby('a').sum()` vs `df.groupby('a').agg(sum)`\nwhich one is faster",
        "**Context:** my function `load(path)` returns [] always\n"
        "**Goal:** make it return the rows",
        "***Note***: the deadline is Friday\n***Owner***: Ann\n\nwrite the status email",
    ],
)
def test_lines_of_inline_code_and_emphasis_the_user_typed_are_not_fenced(question: str) -> None:
    assert fence_pasted_code(question) == question


def test_a_table_without_outer_pipes_is_not_fenced() -> None:
    question = "Name | Age | City\n---|---|---\nAnn | 30 | Oslo\n\nwhich is oldest?"
    assert fence_pasted_code(question) == question


def test_a_heading_with_brackets_is_not_fenced() -> None:
    question = (
        "## Setup (Django 4.2)\nI use Postgres 15 with psycopg3\n\n## Problem\nqueries are slow"
    )
    assert fence_pasted_code(question) == question


def test_lines_of_links_and_images_are_not_fenced() -> None:
    for question in (
        "Here is my diagram:\n![architecture](arch.png)\n![flow](flow.png)\n\nexplain it",
        "I read these:\n[the docs](https://docs.python.org/3/library/asyncio.html)\n"
        "[a blog post](https://example.com/asyncio)\n\nwhich should I trust",
    ):
        assert fence_pasted_code(question) == question, question


@pytest.mark.parametrize(
    "question",
    [
        "what is a monad?\n\nlet me know with examples",
        "I have two libraries in mind.\n\ncreate a table comparing React and Vue",
        "explain recursion\n\nuse simple words please",
    ],
)
def test_a_line_of_prose_opening_with_a_lowercase_code_word_is_not_fenced(question: str) -> None:
    assert fence_pasted_code(question) == question


@pytest.mark.parametrize(
    "question",
    [
        "I'm writing an essay.\n\nCritical thinking skills for nurses in 5 points",
        "I'm 30 and healthy.\n\nPanic attacks at night, what can cause them",
        "My thesis is about measurement.\n\nError analysis in physics labs for beginners",
    ],
)
def test_a_line_of_prose_opening_with_error_warning_panic_critical_is_not_fenced(
    question: str,
) -> None:
    assert fence_pasted_code(question) == question


@pytest.mark.parametrize(
    "question",
    [
        "I have tried restarting,\nreinstalling the driver,\nand updating Windows,\n"
        "but nothing works",
        "I'm learning Spanish (beginner)\nI want a study plan (3 months)",
        "Mujhe ek function chahiye (Python me)\njo list ko reverse kare [bina slicing]",
        "thanks a lot ;)\nyou're the best (really)",
    ],
)
def test_short_prose_lines_ending_in_a_comma_or_bracket_are_not_fenced(question: str) -> None:
    assert fence_pasted_code(question) == question


def test_prose_naming_command_options_is_not_fenced() -> None:
    question = "I ran it with -v and --debug and -x\nnothing changed at all"
    assert fence_pasted_code(question) == question


def test_a_question_under_code_in_a_paragraph_of_its_own_stays_out_of_the_fence() -> None:
    # as in the fixtures simple-note-chat.md and roo-code-export-task.md
    question = "x = f(y)\ny = g(x)\n\nwhy does g(x) fail here?"
    assert fence_pasted_code(question) == fenced("x = f(y)\ny = g(x)", "why does g(x) fail here?")
    trace = (
        "Traceback (most recent call last):\n  File \"a.py\", line 1, in <module>\nKeyError: 'id'"
    )
    question = f"{trace}\n\nhow do I use dict.get() here?"
    assert fence_pasted_code(question) == fenced(trace, "how do I use dict.get() here?")


def test_a_greek_question_mark_asks() -> None:
    # Greek writes its question mark as ";" (fixture roo-code-export-task.md)
    question = "Τι είναι ένα closure;\nΠώς λειτουργεί στην JavaScript;"
    assert fence_pasted_code(question) == question
    log = "npm ERR! code ERESOLVE\nnpm ERR! ERESOLVE could not resolve"
    question = f"{log}\n\nΓιατί αποτυγχάνει μόνο στο CI;"
    assert fence_pasted_code(question) == fenced(log, "Γιατί αποτυγχάνει μόνο στο CI;")


def test_a_question_mark_before_an_emoji_or_closing_bracket_asks() -> None:
    for question in (
        "why does f(x) = g(y) fail? 🙏\nin my script (python)",
        "is f(x) = (x+1)^2 injective (on all reals?)\nI think not (x = -2)",
    ):
        assert fence_pasted_code(question) == question, question


def test_indented_prose_is_not_fenced() -> None:
    question = "  Dear team,\n  please find attached.\n\nrewrite this email politely"
    assert fence_pasted_code(question) == question


def test_a_run_whose_every_line_is_the_users_words_neither_crashes_nor_fences_a_neighbour() -> None:
    question = "Hi there, I have a question,\nand another one, about this,"
    assert fence_pasted_code(question) == question  # IndexError now
    question = "what?\n\nHi there, I have a question,\nand another one, about this,"
    assert fence_pasted_code(question) == question  # IndexError now
    question = "Hi there, I have a question,\nand another one, about this,\n\nwhat?"
    assert fence_pasted_code(question) == question


# --- Real pastes -------------------------------------------------------------------------------


@pytest.mark.xfail(
    strict=True, reason=NOT_FENCED_YET["test_python_and_r_console_sessions_are_fenced"]
)
def test_python_and_r_console_sessions_are_fenced() -> None:
    session = ">>> import numpy as np\n>>> np.array([1,2]) * 2\narray([2, 4])"
    assert fence_pasted_code(f"{session}\n\nwhy not [1,2,1,2]") == fenced(
        session, "why not [1,2,1,2]"
    )
    session = "> x <- c(1, 2, NA)\n> mean(x)\n[1] NA"
    assert fence_pasted_code(f"{session}\n\nhow to ignore NA") == fenced(
        session, "how to ignore NA"
    )


def test_code_with_the_asking_line_glued_under_it_is_fenced() -> None:
    code = "def f(x):\n    return x * 2\nprint(f(3))"
    question = f"{code}\nwhy does this print 6?"
    assert fence_pasted_code(question) == f"```\n{code}\n```\nwhy does this print 6?"


def test_sql_and_dockerfiles_in_upper_case_are_fenced() -> None:
    sql = "SELECT *\nFROM orders o\nJOIN users u ON u.id = o.user_id\nWHERE o.total > 100"
    assert fence_pasted_code(f"{sql}\n\nthis is slow") == fenced(sql, "this is slow")
    docker = (
        "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n"
        'CMD ["python", "app.py"]'
    )
    assert fence_pasted_code(f"{docker}\n\nimage too big") == fenced(docker, "image too big")


@pytest.mark.xfail(
    strict=True, reason=NOT_FENCED_YET["test_rust_panics_and_compiler_errors_are_fenced"]
)
def test_rust_panics_and_compiler_errors_are_fenced() -> None:
    panic = (
        "thread 'main' panicked at src/main.rs:4:5:\n"
        "called `Option::unwrap()` on a `None` value\n"
        "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace"
    )
    assert fence_pasted_code(f"{panic}\n\nhelp") == fenced(panic, "help")
    error = (
        "error[E0382]: borrow of moved value: `s`\n --> src/main.rs:4:20\n  |\n"
        "3 |     let t = s;\n  |             - value moved here\n"
        '4 |     println!("{}", s);\n  |                    ^ value borrowed here after move'
    )
    assert fence_pasted_code(f"{error}\n\nwhat does this mean") == fenced(
        error, "what does this mean"
    )


def test_build_output_and_tracebacks_are_fenced_whatever_their_words_and_marks() -> None:
    """A build's progress (`[100%] Linking CXX executable app`), a program's or an exception's
    named record (`collect2: error: ...`, `jwt.exceptions.ExpiredSignatureError: ...`) and a
    traceback's frames (`main(**options)`) are output, not the user's sentences and emphasis."""
    build = (
        "$ cmake --build build\n[100%] Linking CXX executable app\n"
        "collect2: error: ld returned 1 exit status\n"
        "gmake[2]: *** [CMakeFiles/app.dir/build.make:97: app] Error 1"
    )
    assert fence_pasted_code(f"{build}\n\nwhy?") == fenced(build, "why?")
    traceback = (
        'Traceback (most recent call last):\n  File "app.py", line 3, in <module>\n'
        "    main(**options)\njwt.exceptions.ExpiredSignatureError: Signature has expired"
    )
    assert fence_pasted_code(f"{traceback}\n\nwhy?") == fenced(traceback, "why?")
    # words under a line that is no command stay the user's
    words = "I ran it twice\n[100%] Linking CXX executable app\nthen it **failed** again"
    assert fence_pasted_code(f"{words}\n\nwhy?") == f"{words}\n\nwhy?"


@pytest.mark.parametrize(
    "question",
    [
        "$ git push origin main\nI don't get it, this worked yesterday and I haven't touched it\n\n"
        "what should I do",
        ">>> print(total)\nI only get a blank line, it's not even None",
        "TypeError keeps showing up when I pass a list, but it's fine with a tuple.\n"
        "I'm on Python 3.11.\n\nwhy",
        "INFO level logs don't show up in my Flask app, only WARNING and above.\n"
        "I've set `app.logger.setLevel(logging.INFO)` in create_app.",
        "hint: use induction on n\nI've done the base case but I'm stuck on the step.",
        "error: linker `cc` not found\n- I'm on Windows\n- I installed rustup\n\nwhat now",
        "$ 9.99 a month for Spotify **Premium**\n$ 5.99 for *Netflix*\n\nwhich is cheaper per hour",
    ],
)
def test_the_users_words_under_a_command_or_a_log_word_stay_as_written(question: str) -> None:
    """Review 38: a sentence under a command, a paragraph that opens with an error's name or a
    log level, a list under `error:`, amounts with emphasis are the user's."""
    assert fence_pasted_code(question) == question


@pytest.mark.xfail(strict=True, reason=NOT_FENCED_YET["test_a_git_diff_is_fenced"])
def test_a_git_diff_is_fenced() -> None:
    diff = (
        "diff --git a/x.py b/x.py\n--- a/x.py\n+++ b/x.py\n@@ -1,2 +1,2 @@\n"
        "-x = 1\n+x = 2\n print(x)"
    )
    assert fence_pasted_code(f"{diff}\n\nexplain") == fenced(diff, "explain")


def test_a_shell_session_with_a_full_prompt_is_fenced() -> None:
    session = (
        "user@host:~$ ls -la\ntotal 8\n"
        "drwxr-xr-x 2 user user 4096 Jan 1 00:00 .\n"
        "-rw-r--r-- 1 user user    0 Jan 1 00:00 a.txt"
    )
    assert fence_pasted_code(f"{session}\n\nwhy is the dir empty") == fenced(
        session, "why is the dir empty"
    )


def test_the_header_row_of_column_output_is_inside_the_fence() -> None:
    table = (
        "NAME                     READY   STATUS             RESTARTS   AGE\n"
        "web-5d8f7c9b4-x2x9z      0/1     CrashLoopBackOff   5          3m"
    )
    assert fence_pasted_code(f"{table}\n\nwhy crash") == fenced(table, "why crash")


@pytest.mark.xfail(
    strict=True, reason=NOT_FENCED_YET["test_every_section_of_an_ini_file_is_fenced"]
)
def test_every_section_of_an_ini_file_is_fenced() -> None:
    ini = "[server]\nhost = 0.0.0.0\nport = 8080\n\n[db]\nurl = postgres://localhost/app"
    assert fence_pasted_code(f"{ini}\n\nconfig not read") == fenced(ini, "config not read")


@pytest.mark.xfail(
    strict=True, reason=NOT_FENCED_YET["test_a_javadoc_comment_is_not_read_as_a_list"]
)
def test_a_javadoc_comment_is_not_read_as_a_list() -> None:
    code = (
        "/**\n * Adds two numbers.\n * @param a first\n * @param b second\n */\n"
        "public int add(int a, int b) { return a + b; }"
    )
    assert fence_pasted_code(f"{code}\n\nis the doc right") == fenced(code, "is the doc right")


@pytest.mark.parametrize(
    "log",
    [
        # a log record's time and level opens the output
        "21:16:42.107 [error] GenServer Kontador.Server terminating\n"
        "** (ArithmeticError) bad argument in arithmetic expression\n"
        '    :erlang.+(10, "5")\n'
        "    (kontador 0.1.0) lib/kontador/server.ex:24: Kontador.Server.handle_cast/2",
        # Elixir's exit and its frames: `__call__/5` is no emphasis
        "** (exit) exited in: GenServer.call(Facturas.Exportador, {:exportar, 4821}, 5000)\n"
        "    ** (EXIT) time out\n"
        "        (phoenix 1.7.14) lib/phoenix/router.ex:484: Phoenix.Router.__call__/5",
        # a Go trace's frames: `0x0?` is a value the trace could not read, not a question
        "goroutine 52 [running]:\n"
        "github.com/gorilla/websocket.(*messageWriter).flushFrame(0xc00011fd50, {0x0?, 0x0?})\n"
        "\t/home/u/go/pkg/mod/github.com/gorilla/websocket@v1.5.3/conn.go:617 +0x4b4\n"
        "github.com/gorilla/websocket.(*Conn).WriteMessage(0xc0001be160, {0xc000226000, 0x2c})",
        # an Erlang shell's exception and its `in ...` / `called as ...` lines, unindented as a
        # page shows them: `** exception` is no emphasis
        '1> c(konti).\n{ok,konti}\n2> konti:suma([4, 7, "12", 3]).\n'
        "** exception error: an error occurred when evaluating an arithmetic expression\n"
        'in operator  +/2\ncalled as 11 + "12"\nin call from konti:suma/2 (konti.erl, line 10)',
    ],
)
def test_logs_and_traces_of_other_languages_are_fenced(log: str) -> None:
    assert fence_pasted_code(f"{log}\n\nwhy?") == fenced(log, "why?")


def test_a_numbered_backtrace_with_unknown_frames_is_fenced() -> None:
    """gdb's and libbacktrace's frames (`#0  0x7fa4dc0218c2 in ???`) ask nothing, and a
    function's `__name` in them is no emphasis: the backtrace is fenced whole, its `at` lines
    with it."""
    question = (
        "Error termination. Backtrace:\n#0  0x7fa4dc0218c2 in ???\n"
        "#1  0x7fa4dbe45249 in __libc_start_call_main\n\tat ../sysdeps/libc_start_call_main.h:58\n"
        "#2  0xffffffffffffffff in ???\n\nwhy does it stop at line 14?"
    )
    assert fence_pasted_code(question) == (
        "Error termination. Backtrace:\n```\n#0  0x7fa4dc0218c2 in ???\n"
        "#1  0x7fa4dbe45249 in __libc_start_call_main\n\tat ../sysdeps/libc_start_call_main.h:58\n"
        "#2  0xffffffffffffffff in ???\n```\n\nwhy does it stop at line 14?"
    )


def test_a_go_trace_under_an_error_line_is_fenced() -> None:
    """Helm's `Error: INSTALLATION FAILED: ...` over a Go trace (each call over its indented
    `file.go:line`): `(*Command)` is the trace's, not emphasis."""
    trace = (
        "Error: INSTALLATION FAILED: template: web/templates/deployment.yaml:24:28: executing "
        "at <.Values.image.repository>: nil pointer evaluating interface {}.repository\n"
        "main.newInstallCmd.func2\n        helm.sh/helm/v3/cmd/helm/install.go:154\n"
        "github.com/spf13/cobra.(*Command).execute\n"
        "        github.com/spf13/cobra@v1.8.0/command.go:983\n"
        "runtime.goexit\n        runtime/asm_amd64.s:1650"
    )
    question = f"{trace}\n\nwhy is repository nil when values.yaml sets it?"
    assert (
        fence_pasted_code(question)
        == f"```\n{trace}\n```\n\nwhy is repository nil when values.yaml sets it?"
    )


@pytest.mark.parametrize(
    "log",
    [
        "** (process:16757): CRITICAL **: 16:19:33.756: file sozluk.vala.c: line 40: uncaught",
        "(gnome-shell:1234): Gtk-WARNING **: 10:00:00.000: Theme parsing error",
    ],
)
def test_a_glib_log_line_is_fenced(log: str) -> None:
    """GLib's log lines (`** (process:N): CRITICAL **: ...`): output, its `**` no emphasis."""
    assert (
        fence_pasted_code(f"{log}\n\nwhy does it crash?")
        == f"```\n{log}\n```\n\nwhy does it crash?"
    )


def test_a_go_trace_alone_is_fenced() -> None:
    """A Go trace with no error line over it: each call over its indented `file.go:line`."""
    trace = (
        "main.newInstallCmd.func2\n        helm.sh/helm/v3/cmd/helm/install.go:154\n"
        "github.com/spf13/cobra.(*Command).execute\n"
        "        github.com/spf13/cobra@v1.8.0/command.go:983"
    )
    asking = "why does helm stop here?"
    assert fence_pasted_code(f"{trace}\n\n{asking}") == f"```\n{trace}\n```\n\n{asking}"


@pytest.mark.parametrize(
    "said", ["Error: CORS blocks my request from the app", "Error: GPS signal lost, what now"]
)
def test_an_error_line_of_the_users_own_words_is_not_fenced(said: str) -> None:
    question = f"{said}\nI tried twice.\n\nwhy?"
    assert fence_pasted_code(question) == question


@pytest.mark.parametrize(
    ("paragraph", "pasted", "output"),
    [
        (
            ["Traceback (most recent call last):", '  File "a.py", line 1', "KeyError: 'id'"],
            True,
            True,
        ),
        (["$ npm run build", 'npm ERR! Missing script: "build"'], True, True),
        (["xs = [1, 2, 3]", "ys = xs[::-1]"], True, False),  # code, no program's output
        (["I get this error", "KeyError: 'id'"], False, True),  # the asker's words over it
        (["Errors are values in Go.", "They are returned, not thrown."], False, False),
    ],
)
def test_a_paragraph_is_a_paste_from_first_line_to_last_and_output_only_where_a_program_wrote_it(
    paragraph: list[str], pasted: bool, output: bool
) -> None:
    """`pasted_output`: code or output from its first line to its last, no asker's words (the
    pasted-question rule's paste); `program_output`: a console line, traceback or log record
    among its lines (a capitalized question under code alone, inside an answer, is the model's)."""
    assert pasted_output(paragraph) is pasted
    assert program_output(paragraph) is output
