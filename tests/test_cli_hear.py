"""`hiyoko hear [FILE|-]` as an operator runs it: the real console entry in a subprocess, one JSON
line out per line in, in order, an error line for a bad one, exit 0, never a traceback; the
products and plans of the environment and the team's newest model in the database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from fakes.process import ROOT
from hearing.learning import Example, features, train
from store import Database, upgrade_database
from store.hearing import latest_model, save_model

PRODUCTS = "ゲンバチェック|GenbaCheck;ゲンバカメラ|GenbaCam;ゲンバ勤怠|GenbaTime"
PLANS = "スタンダード|Standard;プロ|Pro;エンタープライズ|Enterprise|エンプラ"


def hear(tmp_path: Path, *args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "HIYOKO_", "SIGNALS_"))}
    clean.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "cli", "hear", *args],
        cwd=tmp_path,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env={**clean, "PYTHONPATH": str(ROOT), "DATABASE_URL": f"sqlite:///{tmp_path / 'h.db'}", **env},
    )


def lines(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines()]


def test_one_line_out_per_line_in_in_order(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    rows = [
        {"text": "4月からIDを10個追加したいです", "date": "2026-12-01"},
        {"text": "請求書を再発行してください", "date": "2026-12-01"},
        {"text": "we might roll this out to the Osaka office", "date": "2026-12-01"},
        {"text": "ゲンバカメラも気になっています", "date": "2026-12-01"},
    ]
    source.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    result = hear(tmp_path, str(source), HIYOKO_PRODUCTS=PRODUCTS, HIYOKO_PLANS=PLANS)
    assert result.returncode == 0, result.stderr
    out = lines(result.stdout)
    assert out[0] == {"hint": True, "kind": "chick", "category": "seats", "timing": "2027-04-01",
                      "score": out[0]["score"], "evidence": "4月からIDを10個追加したいです"}  # fmt: skip
    assert out[1]["hint"] is False and out[1]["kind"] is None and out[1]["evidence"] == ""
    assert out[2]["hint"] is True and out[2]["category"] == "seats" and out[2]["kind"] == "egg"
    assert out[3]["category"] == "cross_sell"  # HIYOKO_PRODUCTS read from the environment
    assert "ゲンバカメラ" in result.stdout  # ensure_ascii=False: the evidence as written
    assert not (tmp_path / "h.db").exists() and result.stderr == ""  # hearing a file makes no database


def test_a_bad_line_gets_an_error_line_and_the_rest_are_heard(tmp_path: Path) -> None:
    stdin = "\n".join(
        [
            "not json",
            json.dumps({"text": 3}),
            json.dumps(["a list"]),
            json.dumps({"text": "IDが足りない", "date": "2026-13-01"}),
            "",
            json.dumps({"text": "IDが足りなくなってきた"}),  # no date: today
        ]
    )
    result = hear(tmp_path, "-", stdin=stdin, HIYOKO_LANGUAGE="en")
    assert result.returncode == 0 and "Traceback" not in result.stderr + result.stdout
    out = lines(result.stdout)
    assert len(out) == 5  # the blank line is no input
    assert [set(o) for o in out[:4]] == [{"error"}] * 4
    assert "not JSON" in str(out[0]["error"]) and '"text"' in str(out[1]["error"])
    assert "2026-13-01" in str(out[3]["error"])
    assert out[4]["hint"] is True and out[4]["category"] == "seats"


def test_a_missing_file_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    result = hear(tmp_path, str(tmp_path / "nope.jsonl"), HIYOKO_LANGUAGE="en")
    assert result.returncode == 2 and "nope.jsonl" in result.stderr and "Traceback" not in result.stderr


def test_the_teams_newest_model_is_used(tmp_path: Path) -> None:
    borderline = json.dumps({"text": "デモを見せてもらえますか", "date": "2026-12-01"}, ensure_ascii=False)
    before = lines(hear(tmp_path, "-", stdin=borderline).stdout)[0]
    assert before["hint"] is False

    db = Database(f"sqlite:///{tmp_path / 'h.db'}")
    upgrade_database(db.engine)
    examples = [Example(features(f"デモを{n}回見せてほしい"), True) for n in range(30)]
    examples += [Example(features(f"点検表の{n}番を直してください"), False) for n in range(30)]
    model = train(examples)
    assert model is not None
    save_model(db, "{}", 0, datetime(2026, 1, 1, tzinfo=UTC))  # an older, empty one
    save_model(db, model.to_json(), model.examples, datetime(2026, 11, 30, tzinfo=UTC))
    assert latest_model(db) == model.to_json()
    db.engine.dispose()

    after = lines(hear(tmp_path, "-", stdin=borderline).stdout)[0]
    assert after["hint"] is True and float(str(after["score"])) > float(str(before["score"]))
