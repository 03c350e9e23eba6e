"""Which Japanese analyser hearing uses: SudachiPy + sudachidict_core against fugashi + unidic-lite.

Each is measured in a fresh interpreter (so import time and memory are its own): import and
dictionary load, resident memory (VmRSS) after tokenising, per-message tokenising p50/p99 over typical
customer-channel messages, and whether it gives the normalisation hearing relies on (増やしたい →
増やす, ＩＤ → ID, 足りなく → 足りる, 追加し → 追加 + する). fugashi is optional: when it is not
installed its row says so::

    python -m bench.analysers
"""

from __future__ import annotations

import json
import subprocess
import sys

MESSAGES = [
    "来年は他の工場でも使いたいと考えています",
    "IDが足りなくなってきたので、追加の相談をさせてください",
    "ＩＤを5つ追加したいです。見積もりをお願いできますか？",
    "いつもお世話になっております。先日の件、ありがとうございました！",
    "ユーザーを削除したいのですが、どこから操作できますか",
    "請求書の宛名を変更していただけますでしょうか",
    "他の拠点でもエラーが出るようになりました。確認をお願いします",
    "4月から新しい部署でも展開する予定です",
    "エンタープライズプランにするとSSOは使えますか？",
    "増やす予定は今のところありません",
    "下期にゲンバカメラも検討したいです",
    "現場の人数が増えてきたので、ライセンスを増やしたいと思っています。来月あたりに見積もりをいただけますか。",
]
PAIRS = [("増やしたい", "増やす"), ("ＩＤ", "ID"), ("足りなく", "足りる"), ("追加したい", "追加")]

SUDACHI = r"""
import json, resource, statistics, sys, time
t0 = time.perf_counter()
from sudachipy import Dictionary, SplitMode
tok = Dictionary(dict="core").create(SplitMode.C)
tok.tokenize("準備")
load = time.perf_counter() - t0
def lemmas(text): return [m.normalized_form() for m in tok.tokenize(text)]
"""
FUGASHI = r"""
import json, resource, statistics, sys, time
t0 = time.perf_counter()
import fugashi, unidic_lite
tok = fugashi.Tagger("-d " + unidic_lite.DICDIR)
tok("準備")
load = time.perf_counter() - t0
def lemmas(text):
    out = []
    for w in tok(text):
        lemma = w.feature.lemma or w.surface
        out.append(lemma.split("-")[0])  # unidic lemmas may carry a gloss: 足りる / ＩＤ-ID…
    return out
"""
MEASURE = r"""
messages = json.loads(sys.argv[1]); pairs = json.loads(sys.argv[2])
for m in messages: lemmas(m)
samples = []
for _ in range(200):
    for m in messages:
        s = time.perf_counter(); lemmas(m); samples.append(time.perf_counter() - s)
samples.sort()
# VmRSS now, not ru_maxrss: after fork+exec the latter still counts the parent's pages
try:
    rss = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmRSS:")) / 1024
except OSError:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
norm = {surface: (expected in lemmas(surface), lemmas(surface)) for surface, expected in pairs}
print(json.dumps({"load_s": load, "rss_mb": rss, "p50_ms": statistics.median(samples) * 1000,
    "p99_ms": samples[int(len(samples) * 0.99)] * 1000, "normalises": norm}, ensure_ascii=False))
"""


def measure(name: str, prelude: str) -> dict[str, object]:
    run = subprocess.run(
        [sys.executable, "-c", prelude + MEASURE, json.dumps(MESSAGES), json.dumps(PAIRS)],
        capture_output=True,
        text=True,
        check=False,
    )
    if run.returncode != 0:
        return {"error": (run.stderr.strip().splitlines() or ["failed"])[-1]}
    result: dict[str, object] = json.loads(run.stdout)
    return result


def main() -> None:
    print(f"{len(MESSAGES)} typical messages x 200, one fresh interpreter each")
    for name, prelude in (("sudachipy+sudachidict_core", SUDACHI), ("fugashi+unidic-lite", FUGASHI)):
        result = measure(name, prelude)
        if "error" in result:
            print(f"{name:28} unavailable: {result['error']}")
            continue
        print(
            f"{name:28} load {float(str(result['load_s'])):.2f} s  rss {float(str(result['rss_mb'])):.0f} MB"
            f"  p50 {float(str(result['p50_ms'])):.3f} ms  p99 {float(str(result['p99_ms'])):.3f} ms"
        )
        normalises = result["normalises"]
        assert isinstance(normalises, dict)
        for surface, (ok, lemmas) in normalises.items():
            print(f"{'':28}   {surface} → {' '.join(lemmas)} {'ok' if ok else 'NOT normalised'}")


if __name__ == "__main__":
    main()
