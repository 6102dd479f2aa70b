"""`python -m bot build`: from an article text to a draft knowledge file that passes `check`."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from bot.__main__ import main
from bot.engine.article import guess_attribution, parse_article
from bot.engine.loader import load_knowledge
from bot.paths import KNOWLEDGE_DIR

ARTICLE = KNOWLEDGE_DIR / "palmyra.as-received.txt"
SHIPPED_TEXT = KNOWLEDGE_DIR / "palmyra.txt"

SECOND = """Storm Floods Valley Towns as Rivers Burst Their Banks

LYON, France (AFP) \u2013 Rivers burst their banks across the valley on Tuesday, the regional prefecture said.

At least 1,200 homes were evacuated, according to the fire service.

\u201cWe have never seen water this high,\u201d a farmer near Vienne told AFP. \u201cThe fields are gone.\u201d

Local media cited the mayor of Givors as saying the main bridge would stay shut until Friday.

The valley was hit by similar floods in 2003.

Residents wade through a flooded street in Givors on Tuesday. (Photo: AFP via Getty)

Subscribe to read more
Already a member? Log in
"""


def draft_for(path: Path, tmp_path: Path, capsys) -> Path:
    """The draft, saved beside the article (the checker reads an article only from its own folder)."""
    assert main(["build", str(path)]) == 0
    out = (tmp_path / path).parent / "draft.yaml"
    out.write_text(capsys.readouterr().out, encoding="utf-8")
    return out


def test_build_palmyra_article(tmp_path, capsys, monkeypatch):
    shutil.copy(ARTICLE, tmp_path)
    monkeypatch.chdir(tmp_path)
    out = draft_for(Path(ARTICLE.name), tmp_path, capsys)
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    knowledge = load_knowledge(out)  # a draft passes the checker as it stands

    assert data["article"]["title"] == "IS, Syria\u2019s Russian-Backed Army Fight Over Palmyra"
    assert data["article"]["publisher"] == "Reuters" and data["article"]["dateline"] == "Amman"
    assert data["article"]["truncated"] is True and data["article"]["republished_by"] == "Hamodia"
    assert data["claimants"]["own-reporting"]["label"] == "Reuters' own reporting"
    assert not any("\u201c\u201c" in e["question"] or '\u201c"' in e["question"] for e in data["entries"])
    assert [c["credit"] for c in data["article"]["captions"]] == ["SANA via AP", "SANA via AP"]
    by_quote = {s.quote: s.claimant.name for e in knowledge.entries for s in e.sources}
    assert not any("To Read The Full Story" in q or "subscriber" in q for q in by_quote)
    said = {q.split()[0] + " " + q.split()[1]: who for q, who in by_quote.items()}
    assert said["Russia\u2019s Defense"] == "Russia's Defense Ministry"
    assert said["But a"] == "a news agency linked to Islamic State"
    assert said["But Islamic"] == "the Observatory"
    assert said["More than"] == "Russia's monitoring center in Syria (via Russian news agencies)"
    assert said["\u201cSyrian troops"] == said["\u201cDespite heavy"]  # a bare quotation continues its speaker
    assert said["Some of"] == "a rebel from the countryside outside that northern city"
    assert said["The Syrian"] == "the Syrian army"  # one speaker, whatever the capital
    assert said["Palmyra, the"] == "Reuters"  # the reporter's own words
    assert said["This photo"] == "SANA via AP"
    assert len(knowledge.entries) == 19  # title, 3 caption sentences, 15 body sentences


def test_build_second_article(tmp_path, capsys):
    article = tmp_path / "floods.txt"
    article.write_text(SECOND, encoding="utf-8")
    out = draft_for(article, tmp_path, capsys)
    knowledge = load_knowledge(out)
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert data["article"]["publisher"] == "AFP" and data["article"]["dateline"] == "Lyon"
    assert data["article"]["truncated"] is True and "republished_by" not in data["article"]
    assert data["claimants"]["own-reporting"]["label"] == "AFP's own reporting"
    assert data["article"]["captions"] == [
        {"text": "Residents wade through a flooded street in Givors on Tuesday.", "credit": "Photo: AFP via Getty"}
    ]
    who = [e.sources[0].claimant.name for e in knowledge.entries]
    assert who == [
        "AFP",
        "Photo: AFP via Getty",
        "the regional prefecture",
        "the fire service",
        "a farmer near Vienne",
        "a farmer near Vienne",
        "the mayor of Givors (via Local media)",
        "AFP",
    ]


def test_shipped_text_is_the_article_without_its_footer():
    parsed = parse_article(ARTICLE.read_text(encoding="utf-8"))
    assert parsed.truncated
    assert SHIPPED_TEXT.read_text(encoding="utf-8") == parsed.text
    assert "Hamodia Logo" not in parsed.text and "subscriber" not in parsed.text


def test_attribution_patterns():
    assert guess_attribution("The ministry said on Monday it would act.") == "The ministry"
    assert guess_attribution("Prices rose, according to the central bank.") == "the central bank"
    assert guess_attribution("The sky is blue.") is None
