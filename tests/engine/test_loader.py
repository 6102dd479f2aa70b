"""The loader and checker: every rule refused with file, line and entry named."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.engine.loader import DEFAULT_PATH, KnowledgeError, load_knowledge
from bot.paths import ROOT

ARTICLE = """A Test Headline About Bridges

LONDON (Reuters) \u2014
The council said on Monday it would close the old bridge.

Engineers found cracks in two of its arches, according to a report seen by Reuters.
"""

GOOD = """\
version: 1
article:
  text: article.txt
  title: A Test Headline About Bridges
  publisher: Reuters
  dateline: London
claimants:
  council: {name: The council, label: "the council, as reported by Reuters"}
  report: {name: A report, label: "a report seen by Reuters"}
entries:
  - id: bridge-closing
    question: Is the old bridge closing?
    alternates: [bridge closed, when does the bridge close]
    answer: The council said it would close the old bridge.
    sources:
      - quote: "The council said on Monday it would close the old bridge."
        attributed_to: council
    related: [bridge-cracks]
  - id: bridge-cracks
    question: What did engineers find?
    answer: Cracks in two arches, according to a report.
    sources:
      - quote: "Engineers found cracks in two of its arches"
        attributed_to: report
"""


def write(tmp_path: Path, text: str, name: str = "k.yaml") -> Path:
    (tmp_path / "article.txt").write_text(ARTICLE, encoding="utf-8")
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(write(tmp_path, text))
    return [str(p) for p in info.value.problems]


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_good_file_loads(tmp_path):
    knowledge = load_knowledge(write(tmp_path, GOOD))
    assert [e.id for e in knowledge.entries] == ["bridge-closing", "bridge-cracks"]
    assert knowledge.entries[0].sources[0].claimant.name == "The council"
    assert knowledge.summary() == "2 entries, 4 questions+alternates, 2 sources"
    with pytest.raises(AttributeError):
        knowledge.entries[0].answer = "changed"  # frozen


def test_changed_word_in_quote_names_file_line_and_entry(tmp_path):
    bad = GOOD.replace("close the old bridge.\"", "close the new bridge.\"")
    [message] = problems(tmp_path, bad)
    path = tmp_path / "k.yaml"
    assert message.startswith(f"{path}:{line_of(bad, 'close the new bridge')}: entry 'bridge-closing': quote is not in")
    assert "'new'" in message  # where it departs from the article


@pytest.mark.parametrize(("quote", "which", "word"), [("Engineers found cracks in tw", "last", "tw"),
                                                    ("ngineers found cracks in two", "first", "ngineers")])
def test_a_quote_that_cuts_a_word_in_two_is_refused(tmp_path, quote, which, word):
    bad = GOOD.replace('"Engineers found cracks in two of its arches"', f'"{quote}"')
    [message] = problems(tmp_path, bad)
    assert f":{line_of(bad, quote)}: entry 'bridge-cracks': quote is not in the article text; " in message
    assert f"its {which} word {word!r} is only part of a word of the article" in message
    assert "Engineers" not in message.replace(quote, "")  # the article's own word is not shown


def test_typography_is_folded_but_words_are_not(tmp_path):
    text = GOOD.replace("Engineers found cracks in two of its arches", "Engineers  found cracks in two of its arches")
    load_knowledge(write(tmp_path, text))  # white space folds
    (tmp_path / "article.txt").write_text(ARTICLE.replace("old bridge", "\u201cold\u201d bridge"), encoding="utf-8")
    quoted = GOOD.replace("close the old bridge.\"", "close the \\\"old\\\" bridge.\"")
    (tmp_path / "k.yaml").write_text(quoted, encoding="utf-8")
    load_knowledge(tmp_path / "k.yaml")  # straight quotes match curly ones


@pytest.mark.parametrize(
    ("edit", "needle", "expected"),
    [
        (lambda t: t.replace("    alternates: [bridge closed", "    colour: red\n    alternates: [bridge closed"),
         "colour: red", r"entry 'bridge-closing': unknown field 'colour'"),
        (lambda t: t.replace("    answer: Cracks in two arches, according to a report.\n", ""),
         "id: bridge-cracks", r"entry 'bridge-cracks': missing field 'answer'"),
        (lambda t: t.replace("id: bridge-cracks", "id: bridge-closing"),
         "What did engineers find", None),
        (lambda t: t.replace("related: [bridge-cracks]", "related: [bridge-gone]"),
         "related: [bridge-gone]", r"entry 'bridge-closing': related id 'bridge-gone' does not exist"),
        (lambda t: t.replace("Is the old bridge closing?", "Is the old bridge closing " + "x" * 100 + "?"),
         "question: Is the old", r"entry 'bridge-closing': question is 1\d\d characters, over the limit of 100"),
        (lambda t: t.replace("answer: The council said it would close the old bridge.", "answer: ''"),
         "answer: ''", r"entry 'bridge-closing': answer is empty"),
        (lambda t: t.replace("attributed_to: report", "attributed_to: somebody"),
         "attributed_to: somebody", r"entry 'bridge-cracks': attributed_to 'somebody' is not a key of claimants"),
        (lambda t: t.replace("version: 1\n", "version: 1\nextra: true\n"),
         "extra: true", r"unknown field 'extra' in the file"),
        (lambda t: t.replace("id: bridge-cracks", "id: Bridge Cracks"),
         "id: Bridge Cracks", r"entry 'Bridge Cracks': id must be a lowercase slug"),
    ],
    ids=["unknown-field", "missing-field", "duplicate-id", "missing-related", "long-question",
         "empty-answer", "unknown-claimant", "unknown-top-field", "bad-slug"],
)
def test_each_rule_is_refused_with_its_place(tmp_path, edit, needle, expected):
    bad = edit(GOOD)
    found = problems(tmp_path, bad)
    line = line_of(bad, needle)
    if expected is None:  # duplicate id: reported on the second use, naming the first
        expected = rf"entry 'bridge-closing': duplicate id \(first used on line {line_of(bad, 'id: bridge-closing')}\)"
        line = [n for n, text in enumerate(bad.splitlines(), 1) if "id: bridge-closing" in text][1]
    assert any(re.fullmatch(rf"{re.escape(str(tmp_path / 'k.yaml'))}:{line}: {expected}.*", p) for p in found), found


def test_a_phrasing_asked_by_two_entries_is_refused(tmp_path):
    bad = GOOD.replace("question: What did engineers find?", "question: When does the bridge close?")
    [message] = problems(tmp_path, bad)
    line = line_of(bad, "When does the bridge close?")
    assert message.startswith(f"{tmp_path / 'k.yaml'}:{line}: entry 'bridge-cracks': 'When does the bridge close?' "
                              "is also asked by entry 'bridge-closing' "
                              f"(line {line_of(bad, 'when does the bridge close')})")


def test_an_alias_that_is_another_canonical_phrase_is_refused(tmp_path):
    bad = GOOD.replace("entries:", "aliases:\n  bridge: [crossing]\n  crossing: [span]\nentries:")
    assert any("alias 'crossing' of 'bridge' is itself an alias phrase" in p for p in problems(tmp_path, bad))


def test_every_problem_is_reported_at_once(tmp_path):
    bad = (GOOD.replace("attributed_to: report", "attributed_to: nobody")
           .replace("related: [bridge-cracks]", "related: [x]"))
    assert len(problems(tmp_path, bad)) == 2


def test_contested_needs_two_claimants(tmp_path):
    bad = GOOD.replace("    related: [bridge-cracks]", "    contested: true\n    related: [bridge-cracks]")
    assert any("contested entry needs sources from at least two claimants" in p for p in problems(tmp_path, bad))


def test_invalid_yaml_names_the_line(tmp_path):
    bad = GOOD.replace("question: What did engineers find?", "question: [What did engineers find?")
    [message] = problems(tmp_path, bad)
    assert "not valid YAML" in message and re.search(r"k\.yaml:\d+:", message)


def test_alias_bomb_is_refused_quickly(tmp_path):
    bomb = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n in range(1, 10):
        prev = chr(ord("a") + n - 1)
        name = chr(ord("a") + n)
        bomb.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    # 9**10 strings if anything expanded it; refused from the node graph, where each alias is one node
    [message] = problems(tmp_path, "\n".join(bomb) + "\n")
    assert "anchors and aliases" in message and re.search(r"k\.yaml:\d+:", message)


def test_size_limit(tmp_path):
    path = write(tmp_path, GOOD + "#" * 2000 + "\n")
    with pytest.raises(KnowledgeError, match="over the limit of 1,000"):
        load_knowledge(path, max_bytes=1000)


def test_missing_file_and_not_utf8(tmp_path):
    with pytest.raises(KnowledgeError, match="cannot read"):
        load_knowledge(tmp_path / "nope.yaml")
    path = tmp_path / "latin1.yaml"
    path.write_bytes("caf\xe9".encode("latin-1"))
    with pytest.raises(KnowledgeError, match="not UTF-8"):
        load_knowledge(path)


def test_shipped_file_meets_the_coverage_bar():
    knowledge = load_knowledge(DEFAULT_PATH)
    assert len(knowledge.entries) >= 60
    assert sum(len(e.alternates) for e in knowledge.entries) / len(knowledge.entries) >= 5
    assert all(len(e.question) <= 100 for e in knowledge.entries)


def test_check_command(tmp_path, capsys):
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"OK, \d+ entries, \d+ questions\+alternates, \d+ sources", out)
    bad = write(tmp_path, GOOD.replace("two of its arches", "three of its arches"))
    assert main(["check", str(bad)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:{line_of(GOOD, 'two of its arches')}: entry 'bridge-cracks': quote is not in the article" in err


def test_quotes_are_shown_in_the_articles_own_words(tmp_path):
    (tmp_path / "article.txt").write_text(ARTICLE.replace("old bridge", "\u201cold\u201d\u00a0bridge"),
                                          encoding="utf-8")
    path = tmp_path / "k.yaml"
    path.write_text(GOOD.replace("close the old bridge.\"", "close the \\\"old\\\" bridge.\""), encoding="utf-8")
    quote = load_knowledge(path).entries[0].sources[0].quote
    assert quote == "The council said on Monday it would close the \u201cold\u201d\u00a0bridge."


def test_every_shipped_quote_is_byte_for_byte_in_the_article():
    knowledge = load_knowledge(DEFAULT_PATH)
    for entry in knowledge.entries:
        for source in entry.sources:
            assert source.quote in knowledge.article.text, entry.id


def test_contested_may_show_the_other_side_from_a_related_contested_entry(tmp_path):
    one_sided = GOOD.replace("    related: [bridge-cracks]", "    contested: true\n    related: [bridge-cracks]")
    both = one_sided.replace("        attributed_to: report\n", "        attributed_to: report\n    contested: true\n"
                             "    related: [bridge-closing]\n")
    knowledge = load_knowledge(write(tmp_path, both))
    assert all(entry.contested for entry in knowledge.entries)


def test_a_file_with_no_entries_is_refused(tmp_path):
    start = GOOD.index("entries:")
    with pytest.raises(KnowledgeError, match="entries is empty"):
        load_knowledge(write(tmp_path, GOOD[:start] + "entries: []\n"))


def test_an_unclosed_quote_is_reported_where_it_opens(knowledge_copy):
    text = knowledge_copy.read_text(encoding="utf-8")
    needle = "question: Who controls Palmyra now?"
    knowledge_copy.write_text(text.replace(needle, needle.replace(": ", ': "')), encoding="utf-8")
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(knowledge_copy)
    [message] = [str(p) for p in info.value.problems]
    opened = line_of(text, needle)
    # PyYAML's own context stays, with its line (the entry's mapping, one line up)
    assert message.startswith(f"{knowledge_copy}:{opened}: not valid YAML: while parsing a block mapping "
                              f"(line {opened - 1}): "), message
    assert f"the quoted text opened on line {opened} runs on to line" in message


def test_a_yaml_mistake_on_one_line_names_that_line(tmp_path):
    bad = GOOD.replace("question: What did engineers find?", "question: [What did engineers find?")
    [message] = problems(tmp_path, bad)
    assert f"k.yaml:{line_of(bad, '[What did')}: not valid YAML: while parsing a flow sequence" in message


# -- files that must not be read, or not read whole ---------------------------------------------------------

def check(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
          stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    """The real CLI in a subprocess; the timeout only guards against a hang."""
    environment = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=cwd or ROOT, env=environment, input=stdin,
                          capture_output=True, timeout=120, check=False)


def one_line_refusal(result: subprocess.CompletedProcess, *needles: str) -> str:
    err = result.stderr.decode()
    assert result.returncode == 1, err
    assert "Traceback" not in err and "Error:" not in err, err
    for needle in needles:
        assert needle in err, err
    return err


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe"
    os.mkfifo(path)
    return path


@pytest.fixture
def sparse(tmp_path: Path) -> Path:
    """A 1 GB file that takes no disk: all of its bytes read as zero."""
    path = tmp_path / "big"
    with path.open("wb") as handle:
        handle.truncate(1 << 30)
    return path


@pytest.mark.parametrize("kind", ["/dev/zero", "fifo", "sparse", "folder"])
def test_a_device_fifo_folder_or_huge_file_as_knowledge_is_refused_in_one_line(kind, fifo, sparse, tmp_path):
    path = {"/dev/zero": Path("/dev/zero"), "fifo": fifo, "sparse": sparse, "folder": tmp_path}[kind]
    reason = {"/dev/zero": "not a regular file (a character device)", "fifo": "not a regular file (a FIFO)",
              "sparse": "bytes, over the limit", "folder": "not a regular file (a directory)"}[kind]
    one_line_refusal(check("check", str(path)), f"{path}: ", reason)
    one_line_refusal(check("ask", "who holds palmyra", "--knowledge", str(path)), reason)


@pytest.mark.parametrize("kind", ["/dev/zero", "fifo", "sparse"])
def test_every_command_that_reads_a_file_refuses_a_device_fifo_or_huge_file_in_one_line(kind, fifo, sparse):
    """Not only the knowledge file: the article to build from, a patch to learn, a question set."""
    path = str({"/dev/zero": Path("/dev/zero"), "fifo": fifo, "sparse": sparse}[kind])
    reason = "over the limit" if kind == "sparse" else "not a regular file"
    one_line_refusal(check("build", path), reason)
    one_line_refusal(check("learn", path), reason)
    one_line_refusal(check("eval", "--questions", path), reason)
    one_line_refusal(check("eval", "--followups", path), reason)


def test_a_file_that_is_not_a_question_set_is_refused_in_one_line(tmp_path):
    one_line_refusal(check("eval", "--questions", "knowledge/palmyra.yaml"), "not a list of questions")
    one_line_refusal(check("eval", "--followups", "eval/questions.yaml"), "not a list of conversations")
    one_line_refusal(check("eval", "--questions", str(tmp_path / "missing.yaml")), "cannot read")


def article_file(tmp_path: Path, text_path: str, quote: str = "Engineers found cracks in two of its arches") -> Path:
    folder = tmp_path / "knowledge"
    folder.mkdir(exist_ok=True)
    (folder / "article.txt").write_text(ARTICLE, encoding="utf-8")
    path = folder / "k.yaml"
    path.write_text(GOOD.replace("text: article.txt", f"text: {text_path}")
                    .replace('"Engineers found cracks in two of its arches"', f'"{quote}"'), encoding="utf-8")
    return path


@pytest.mark.parametrize("kind", ["/dev/zero", "fifo", "sparse"])
def test_a_device_fifo_or_huge_file_as_article_is_refused_in_one_line(kind, tmp_path):
    path = article_file(tmp_path, "article.txt")
    target = path.parent / "article.txt"
    target.unlink()
    if kind == "/dev/zero":
        target.symlink_to("/dev/zero")  # inside the folder by name, a device in fact
    elif kind == "fifo":
        os.mkfifo(target)
    else:
        with target.open("wb") as handle:
            handle.truncate(1 << 30)
    reason = "over the limit of 1,048,576" if kind == "sparse" else "not a regular file"
    if kind == "/dev/zero":
        reason = "is outside the knowledge file's folder"
    line = line_of(GOOD, "text: article.txt")
    one_line_refusal(check("check", str(path)), f"{path}:{line}: ", reason)
    one_line_refusal(check("ask", "x", "--knowledge", str(path)), reason)


@pytest.mark.parametrize("text_path", ["../.env", "../../../../../../etc/passwd", "/etc/passwd", "outside"])
def test_the_article_must_be_inside_the_knowledge_folder(tmp_path, text_path):
    (tmp_path / ".env").write_text("DISCORD_TOKEN=MTIzNDU2Nzg5MDEyMzQ1Njc4OTAx.secret\n", encoding="utf-8")
    path = article_file(tmp_path, text_path, quote="DISCORD_TOKEN=M")
    if text_path == "outside":  # a symlink in the folder that leads out of it
        (path.parent / "outside").symlink_to(tmp_path / ".env")
    result = check("check", str(path))
    err = one_line_refusal(result, f"article.text {text_path!r}")
    assert "MTIz" not in err and "secret" not in err and "root:" not in err
    assert "outside the knowledge file's folder" in err or "must be a path relative" in err


def test_a_file_beside_the_knowledge_never_has_its_words_shown(tmp_path):
    """Even inside the folder, only the knowledge file's own words are quoted back."""
    folder = tmp_path / "knowledge"
    path = article_file(tmp_path, ".env", quote="DISCORD_TOKEN=M")
    (folder / ".env").write_text("Title line\n\nDISCORD_TOKEN=MTIzNDU2Nzg5MDEyMzQ1Njc4OTAx.secret other words\n",
                                 encoding="utf-8")
    err = one_line_refusal(check("check", str(path)))
    assert "MTIz" not in err and "secret" not in err and "other words" not in err and "Title line" not in err


def test_a_symlink_loop_is_a_one_line_problem(tmp_path):
    path = article_file(tmp_path, "loop.txt")
    (path.parent / "loop.txt").symlink_to(path.parent / "loop.txt")
    one_line_refusal(check("check", str(path)), f":{line_of(GOOD, 'text: article.txt')}: ",
                     "cannot use the article text 'loop.txt': a loop of symbolic links")
    looped = tmp_path / "looped.yaml"
    looped.symlink_to(looped)
    one_line_refusal(check("check", str(looped)), "looped.yaml: cannot read: a loop of symbolic links")


def test_messages_name_the_shipped_file_relative_to_the_repository(knowledge_copy):
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(ROOT / "knowledge" / "missing.yaml")
    assert str(info.value) == "knowledge/missing.yaml: cannot read: No such file or directory"


def test_permission_denied_is_a_one_line_problem(tmp_path, monkeypatch):
    """Tests run as root, who may read anything: the refusal is simulated at the one open call."""
    path = article_file(tmp_path, "article.txt")
    real_open = os.open

    def refusing(file, flags, *args, **kwargs):
        if os.fspath(file).endswith("article.txt"):
            raise PermissionError(13, "Permission denied")
        return real_open(file, flags, *args, **kwargs)

    monkeypatch.setattr("bot.engine.files.os.open", refusing)
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(path)
    assert str(info.value) == (f"{path}:{line_of(GOOD, 'text: article.txt')}: cannot use the article text "
                               "'article.txt': cannot read: Permission denied")
