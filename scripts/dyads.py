"""The CAMEO dyad corpus (``data/dyads/``): draw the articles, check the annotations, measure
agreement, build the corpus file the training reads.

    python scripts/dyads.py select                      # write data/dyads/batches/*.json
    python scripts/dyads.py select-rare                 # batches 31-36: the rarer roots
    python scripts/dyads.py check FILE...               # every quote found, every code known
    python scripts/dyads.py agreement batch-02 ...      # annotators A and B of those batches
    python scripts/dyads.py build                       # data/dyads/dyads.jsonl

Guidelines: ``data/dyads/GUIDELINES.md``. Selection: VNTC articles of the news categories and
Dân trí 2020 articles, 400-2,000 characters of body (3,500 for Dân trí), none of any gold file, of the project's
other annotated data or of the bundled VNTC sample (``select``, seed 1818, reproducible).
The text is the article as thoisu's cleaner returns it and the sentences are thoisu's, so
that annotations and the pipeline share offsets.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
DYADS = REPO / "data" / "dyads"
BATCHES, ANNOTATIONS = DYADS / "batches", DYADS / "annotations"
CORPUS = DYADS / "dyads.jsonl"
CODES = SHARED / "codes"
SEED = 1818
BATCH_SIZE = 14
# (source, category) -> articles drawn
PLAN = {
    ("vntc", "Thế giới"): 130, ("vntc", "Chính trị - Xã hội"): 110, ("vntc", "Pháp luật"): 90,
    ("vntc", "Kinh doanh"): 15, ("vntc", "Thể thao"): 10, ("vntc", "Đời sống"): 5,
    ("unc", "Thế giới"): 18, ("unc", "Xã hội"): 13, ("unc", "Kinh doanh"): 10,
    ("unc", "Thể thao"): 5, ("unc", "Sức khỏe"): 5, ("unc", "Giáo dục"): 5, ("unc", "Khoa học"): 4,
}  # fmt: skip
DOUBLE = ("batch-01", "batch-02", "batch-03")  # annotated twice, independently
CERTAINTIES = ("asserted", "reported", "possible", "negated", "question")
NON_EVENT_KINDS = ("noun", "name", "generic", "happening", "sports", "price", "state", "other")
_DATE = re.compile(r"^(?:\d{4}(?:-\d{2}(?:-\d{2})?)?|--\d{2}-\d{2})$")
# Words that name an action or a happening in some contexts: with the lexicon's phrases they
# are the look-alikes every annotator must judge (an event, or a non-event of some kind).
HAPPENINGS = (
    "chết", "tử vong", "thiệt mạng", "tai nạn", "va chạm", "bị thương", "cháy", "nổ", "đâm",
    "giết", "tự tử", "tự sát", "bắn", "bắt giữ", "tấn công", "thắng", "thua", "báo cáo",
    "điều tra", "đấu tranh", "chiến dịch", "hỗ trợ",
)  # fmt: skip


# --- selection --------------------------------------------------------------------------


def _excluded() -> set[str]:
    """Articles used or measured anywhere else in thoisu."""
    sys.path.insert(0, str(REPO / "src"))
    from thoisu.evaluation import gold_article_ids

    used = gold_article_ids()
    for name in ("ner_vntc_train.jsonl", "realis_labels.jsonl"):
        for line in (REPO / "data" / name).read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            used.add(row.get("id") or row.get("doc"))
    with gzip.open(REPO / "samples" / "vntc-world-politics.jsonl.gz", "rt", encoding="utf-8") as f:
        used |= {json.loads(line)["id"] for line in f}
    return used


def _records(source: str) -> list[dict]:
    path = {"vntc": SHARED / "vntc" / "vntc_sample.jsonl.gz",
            "unc": SHARED / "unc" / "unc_dantri_2020.jsonl.gz"}[source]  # fmt: skip
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def _prepared(record: dict) -> dict:
    """The article as the pipeline sees it: cleaned text and thoisu's sentences."""
    from thoisu.clean import clean
    from thoisu.events.lexicon import find_phrases
    from thoisu.nlp import split_sentences
    from thoisu.records import RawDocument

    raw = RawDocument(source=record["id"], title=record.get("title"), lead=record.get("sapo"),
                      body=record["body"], publisher=record.get("publisher"),
                      published=record.get("published"), url=record.get("url"))  # fmt: skip
    article = clean(raw)
    spans = split_sentences(article.text)
    sentences = [article.text[a:b] for a, b in spans]
    check = []
    for k, sentence in enumerate(sentences):
        words = re.findall(r"\w+", sentence.lower())
        found = {h.entry.phrase.lower() for h in find_phrases(words) if not h.entry.blocker}
        lowered = " " + " ".join(words) + " "
        found |= {w for w in HAPPENINGS if f" {w} " in lowered}
        # longest first, each once: "tấn công" hides "công"
        for phrase in sorted(found, key=len, reverse=True):
            if not any(phrase in c["text"] for c in check if c["sentence"] == k):
                check.append({"sentence": k, "text": phrase})
    return {
        "id": record["id"], "source": "unc" if record["id"].startswith("unc-") else "vntc",
        "category": record.get("category"), "published": article.published,
        "title": article.title, "text": article.text, "sentences": [list(s) for s in spans],
        "numbered": [f"[{k}] {s}" for k, s in enumerate(sentences)], "check_words": check,
    }  # fmt: skip


def select(_: argparse.Namespace) -> None:
    used = _excluded()
    rng = random.Random(SEED)
    drawn: list[dict] = []
    for source in ("vntc", "unc"):
        records = _records(source)
        for (src, category), n in PLAN.items():
            if src != source:
                continue
            longest = 2_000 if source == "vntc" else 3_500  # Dân trí's articles are longer
            pool = [r for r in records if r.get("category") == category and r["id"] not in used
                    and r.get("title") and 400 <= len(r.get("body") or "") <= longest]  # fmt: skip
            drawn += rng.sample(pool, n)
    rng.shuffle(drawn)
    BATCHES.mkdir(parents=True, exist_ok=True)
    for b in range(0, len(drawn), BATCH_SIZE):
        name = f"batch-{b // BATCH_SIZE + 1:02d}"
        articles = [_prepared(r) for r in drawn[b : b + BATCH_SIZE]]
        (BATCHES / f"{name}.json").write_text(
            json.dumps(articles, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
        print(name, len(articles), file=sys.stderr)


# Roots the first 420 articles hold few examples of (13 threaten, 14 protest, 15 force
# posture, 16 reduce relations, 19 fight, 20 mass violence) and actions the models confused
# with them (07 aid, 18 abduction): words that name them, for a second, targeted draw.
RARE_WORDS = (
    "trừng phạt", "cấm vận", "cắt đứt quan hệ", "trục xuất", "đình chỉ", "viện trợ", "cứu trợ",
    "tài trợ", "khoản vay", "đe dọa", "cảnh cáo", "tối hậu thư", "giao tranh", "đọ súng",
    "không kích", "pháo kích", "ném bom", "đụng độ", "thảm sát", "bắt cóc", "con tin",
    "tập trận", "điều quân", "biểu tình", "đình công", "tuyệt thực",
)  # fmt: skip
RARE_BATCHES = range(31, 37)
RARE_BATCH_SIZE = 7
RARE_SEED = 1819


def select_rare(_: argparse.Namespace) -> None:
    """Batches 31-36: VNTC news articles naming at least two different rare-root words, none
    of the articles used anywhere (the first draw, the actor-code draws of
    ``bench/actor_code_draws.json`` included)."""
    used = _excluded()
    used |= {json.loads(line)["id"] for line in CORPUS.read_text(encoding="utf-8").splitlines()}
    draws = json.loads((REPO / "bench" / "actor_code_draws.json").read_text(encoding="utf-8"))
    used |= {i for ids in draws.values() for i in ids}
    pool = []
    for r in _records("vntc"):
        if (r.get("category") not in ("Thế giới", "Chính trị - Xã hội", "Pháp luật")
                or r["id"] in used or not r.get("title")
                or not 400 <= len(r.get("body") or "") <= 2_000):  # fmt: skip
            continue
        text = (r["title"] + " " + r["body"]).lower()
        if len({w for w in RARE_WORDS if w in text}) >= 2:
            pool.append(r)
    n = len(RARE_BATCHES) * RARE_BATCH_SIZE
    drawn = random.Random(RARE_SEED).sample(pool, n)
    for k, b in enumerate(RARE_BATCHES):
        articles = [_prepared(r) for r in drawn[k * RARE_BATCH_SIZE : (k + 1) * RARE_BATCH_SIZE]]
        (BATCHES / f"batch-{b:02d}.json").write_text(
            json.dumps(articles, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
    print(f"{n} of {len(pool)} articles with two rare-root words", file=sys.stderr)


# --- checking -----------------------------------------------------------------------------


def _real_date(value: Any) -> bool:
    """``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or ``--MM-DD``, and a real day of the calendar."""
    from datetime import date

    if not isinstance(value, str) or not _DATE.match(value):
        return False
    year, month, day = (value[2:].split("-") + ["", ""])[:3] if value.startswith("--") else (
        value.split("-") + ["", ""])[:3]  # fmt: skip
    if value.startswith("--"):
        year, month, day = "2000", year, month  # a leap year: "--02-29" is a day
    try:
        date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return False
    return True


def _code_table() -> dict[str, set[str]]:
    kinds: dict[str, set[str]] = {}
    for kind, name in (("country", "CAMEO.country.txt"), ("type", "CAMEO.type.txt"),
                       ("knowngroup", "CAMEO.knowngroup.txt"),
                       ("religion", "CAMEO.religion.txt")):  # fmt: skip
        for line in (CODES / name).read_text(encoding="utf-8").splitlines()[1:]:
            if line.strip():
                kinds.setdefault(line.split("\t")[0].strip().upper(), set()).add(kind)
    return kinds


def _event_codes() -> set[str]:
    lines = (CODES / "CAMEO.eventcodes.txt").read_text(encoding="utf-8").splitlines()[1:]
    return {line.split("\t")[0].strip() for line in lines if line.strip()}


def actor_code_problem(code: str, table: dict[str, set[str]]) -> str | None:
    """Why ``code`` is not a CAMEO actor code (None when it is): 3-letter blocks, the first
    a country, known group or type, the rest types, known groups or religions."""
    if len(code) % 3 or not code.isalpha() or not code.isupper():
        return f"actor code {code!r} is not upper-case 3-letter blocks"
    for i in range(0, len(code), 3):
        kinds = table.get(code[i : i + 3], set())
        allowed = (
            {"country", "knowngroup", "type"} if i == 0 else {"type", "knowngroup", "religion"}
        )
        if not kinds & allowed:
            return f"actor code {code!r}: block {code[i : i + 3]!r} is not a CAMEO code here"
    return None


def find_span(sentence: str, text: str, occurrence: int | None) -> tuple[int, int] | None:
    """The ``occurrence``-th (1-based; default the only one) match of ``text`` at word
    boundaries in ``sentence``; None when absent or ambiguous."""
    pattern = re.compile(rf"(?<!\w){re.escape(text)}(?!\w)")
    found = [(m.start(), m.end()) for m in pattern.finditer(sentence)]
    if not found:
        return None
    if occurrence is None:
        return found[0] if len(found) == 1 else None
    return found[occurrence - 1] if 1 <= occurrence <= len(found) else None


def check_article(article: dict, gold: dict, tables: tuple) -> list[str]:
    """Problems of one annotated article (``gold``) against its batch entry (``article``)."""
    actor_table, event_codes = tables
    text, spans = article["text"], article["sentences"]
    problems: list[str] = []

    def where(k: Any, field: str) -> str:
        return f"{article['id']} {field}"

    def sentence_of(k: Any, field: str) -> str | None:
        if not isinstance(k, int) or not 0 <= k < len(spans):
            problems.append(f"{where(k, field)}: no sentence {k!r}")
            return None
        return text[spans[k][0] : spans[k][1]]

    def span(k: int, sent: str, value: dict, field: str) -> None:
        if find_span(sent, value["text"], value.get("occurrence")) is None:
            many = len(re.findall(rf"(?<!\w){re.escape(value['text'])}(?!\w)", sent)) > 1
            why = "occurs more than once: give its occurrence" if many else "is not found"
            problems.append(f"{where(k, field)}: {value['text']!r} {why} in sentence {k}")

    for n, event in enumerate(gold.get("events", [])):
        field = f"event {n} ({event.get('trigger')!r})"
        sent = sentence_of(event.get("sentence"), field)
        if sent is None:
            continue
        k = event["sentence"]
        if not isinstance(event.get("trigger"), str) or not event["trigger"].strip():
            problems.append(f"{where(k, field)}: no trigger text")
            continue
        span(k, sent, {"text": event["trigger"], "occurrence": event.get("occurrence")}, field)
        if event.get("cameo") not in event_codes:
            problems.append(f"{where(k, field)}: {event.get('cameo')!r} is not a CAMEO event code")
        if event.get("certainty") not in CERTAINTIES:
            problems.append(f"{where(k, field)}: certainty {event.get('certainty')!r}")
        date = event.get("date")
        if date is not None and not _real_date(date):
            problems.append(f"{where(k, field)}: date {date!r} is not YYYY[-MM[-DD]] or --MM-DD")
        for role in ("source", "target", "location"):
            value = event.get(role)
            if value is None:
                continue
            if not isinstance(value, dict):
                problems.append(f"{where(k, field)}: {role} must be an object or null")
                continue
            if value.get("text") is not None:
                span(k, sent, value, f"{field} {role}")
            elif role == "location" or not value.get("code"):
                problems.append(f"{where(k, field)}: {role} has neither text nor code")
            code = value.get("code")
            if role != "location" and code is not None:
                problem = actor_code_problem(code, actor_table)
                if problem:
                    problems.append(f"{where(k, field)}: {role} {problem}")
    covered: dict[int, list[tuple[int, int]]] = {}
    for event in gold.get("events", []):
        k = event.get("sentence")
        if isinstance(k, int) and 0 <= k < len(spans):
            s = find_span(text[spans[k][0] : spans[k][1]], event.get("trigger") or "\0",
                          event.get("occurrence"))  # fmt: skip
            if s:
                covered.setdefault(k, []).append(s)
    for n, item in enumerate(gold.get("non_events", [])):
        field = f"non-event {n} ({item.get('text')!r})"
        sent = sentence_of(item.get("sentence"), field)
        if sent is None:
            continue
        if item.get("kind") not in NON_EVENT_KINDS:
            problems.append(
                f"{where(0, field)}: kind {item.get('kind')!r} not in {NON_EVENT_KINDS}"
            )
        span(item["sentence"], sent, item, field)
        s = find_span(sent, item.get("text") or "\0", item.get("occurrence"))
        if s:
            covered.setdefault(item["sentence"], []).append(s)
    for word in article["check_words"]:
        k, sent = word["sentence"], text[spans[word["sentence"]][0] : spans[word["sentence"]][1]]
        pattern = re.compile(rf"(?<!\w){re.escape(word['text'])}(?!\w)", re.I)
        for m in pattern.finditer(sent):
            if not any(a < m.end() and m.start() < b for a, b in covered.get(k, [])):
                problems.append(
                    f"{article['id']}: check word {m.group()!r} at {m.start()} of sentence {k} is"
                    " neither in an event trigger nor listed as a non-event"
                )
    return problems


def _batch_of(path: Path) -> list[dict]:
    name = path.name.split(".")[0]
    return json.loads((BATCHES / f"{name}.json").read_text(encoding="utf-8"))


def check_file(path: Path) -> list[str]:
    articles = {a["id"]: a for a in _batch_of(path)}
    try:
        annotated = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        return [f"{path}: not valid JSON: {e}"]
    tables = (_code_table(), _event_codes())
    problems = []
    seen = {a.get("id") for a in annotated}
    problems += [f"{path}: article {i} is not annotated" for i in articles if i not in seen]
    for gold in annotated:
        if gold.get("id") not in articles:
            problems.append(f"{path}: unknown article {gold.get('id')!r}")
            continue
        problems += check_article(articles[gold["id"]], gold, tables)
    return problems


def check(args: argparse.Namespace) -> None:
    bad = 0
    for path in args.files:
        problems = check_file(Path(path))
        bad += len(problems)
        for p in problems:
            print(p)
        print(f"{path}: {len(problems)} problems", file=sys.stderr)
    sys.exit(1 if bad else 0)


# --- agreement ----------------------------------------------------------------------------


def _resolved(path: Path) -> dict[str, list[dict]]:
    """Each article's events with absolute trigger and actor spans."""
    articles = {a["id"]: a for a in _batch_of(path)}
    out = {}
    for gold in json.loads(path.read_text(encoding="utf-8")):
        article = articles[gold["id"]]
        events = []
        for e in gold["events"]:
            a, _ = article["sentences"][e["sentence"]]
            sent = article["text"][a : article["sentences"][e["sentence"]][1]]
            t = find_span(sent, e["trigger"], e.get("occurrence"))
            if t is None:
                continue
            item = {
                "trigger": (a + t[0], a + t[1]),
                "cameo": e["cameo"],
                "certainty": e["certainty"],
            }
            for role in ("source", "target"):
                v = e.get(role) or None
                s = find_span(sent, v["text"], v.get("occurrence")) if v and v.get("text") else None
                item[role] = {"span": (a + s[0], a + s[1]) if s else None,
                              "code": v.get("code") if v else None} if v else None  # fmt: skip
            events.append(item)
        out[gold["id"]] = events
    return out


def _same_actor(x: dict | None, y: dict | None) -> bool:
    if not x and not y:
        return True
    if not x or not y:
        return False
    if x["span"] and y["span"] and x["span"][0] < y["span"][1] and y["span"][0] < x["span"][1]:
        return True
    return bool(x["code"] and x["code"] == y["code"])


def agreement(args: argparse.Namespace) -> None:
    """Agreement of annotators A and B over the batches given (``batch-02`` ...): triggers
    matched by overlap; of the matched, root, code, source, target and certainty agreement,
    and Cohen's kappa of the root."""
    c: Counter = Counter()
    roots: list[tuple[str, str]] = []
    for batch in args.batches:
        first = _resolved(ANNOTATIONS / f"{batch}.A.json")
        second = _resolved(ANNOTATIONS / f"{batch}.B.json")
        for aid in sorted(set(first) & set(second)):
            used = set()
            for e in first[aid]:
                c["a"] += 1
                match = next((j for j, f in enumerate(second[aid]) if j not in used
                              and f["trigger"][0] < e["trigger"][1]
                              and e["trigger"][0] < f["trigger"][1]), None)  # fmt: skip
                if match is None:
                    continue
                used.add(match)
                f = second[aid][match]
                c["matched"] += 1
                roots.append((e["cameo"][:2], f["cameo"][:2]))
                c["root"] += e["cameo"][:2] == f["cameo"][:2]
                c["code"] += e["cameo"] == f["cameo"]
                c["source"] += _same_actor(e["source"], f["source"])
                c["target"] += _same_actor(e["target"], f["target"])
                c["certainty"] += e["certainty"] == f["certainty"]
                c["all"] += (e["cameo"][:2] == f["cameo"][:2]
                             and _same_actor(e["source"], f["source"])
                             and _same_actor(e["target"], f["target"]))  # fmt: skip
            c["b"] += len(second[aid])
    m = c["matched"]
    observed = c["root"] / max(m, 1)
    a_counts, b_counts = Counter(a for a, _ in roots), Counter(b for _, b in roots)
    expected = sum(a_counts[k] * b_counts[k] for k in a_counts) / max(m * m, 1)
    print(json.dumps({
        "batches": args.batches, "events_a": c["a"], "events_b": c["b"], "matched": m,
        "trigger_f1": round(200 * m / max(c["a"] + c["b"], 1), 1),
        **{f"{k}_agree_of_matched": round(100 * c[k] / max(m, 1), 1)
           for k in ("root", "code", "source", "target", "certainty", "all")},
        "root_kappa": round((observed - expected) / max(1 - expected, 1e-9), 3),
    }, indent=1))  # fmt: skip


# --- build --------------------------------------------------------------------------------


def build(_: argparse.Namespace) -> None:
    """``data/dyads/dyads.jsonl``: every batch's first annotation (``.A``), with absolute
    offsets, one article a line."""
    rows = []
    for batch in sorted(BATCHES.glob("batch-*.json")):
        path = ANNOTATIONS / f"{batch.stem}.A.json"
        if not path.exists():
            print(f"{batch.stem}: not annotated yet", file=sys.stderr)
            continue
        problems = check_file(path)
        if problems:
            sys.exit(f"{path}: {len(problems)} problems; run check")
        articles = {a["id"]: a for a in json.loads(batch.read_text(encoding="utf-8"))}
        for gold in json.loads(path.read_text(encoding="utf-8")):
            rows.append(_absolute(articles[gold["id"]], gold, batch.stem))
    CORPUS.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    events = sum(len(r["events"]) for r in rows)
    non = sum(len(r["non_events"]) for r in rows)
    print(f"{CORPUS}: {len(rows)} articles, {events} events, {non} non-events", file=sys.stderr)


def _absolute(article: dict, gold: dict, batch: str) -> dict:
    text, spans = article["text"], article["sentences"]

    def at(k: int, value: dict | None, extra: tuple[str, ...] = ()) -> dict | None:
        if value is None:
            return None
        out = {key: value.get(key) for key in ("code", *extra) if key in value}
        if value.get("text") is None:
            return {"text": None, "start": None, "end": None, **out}
        a = spans[k][0]
        s = find_span(text[a : spans[k][1]], value["text"], value.get("occurrence"))
        assert s is not None
        return {"text": value["text"], "start": a + s[0], "end": a + s[1], **out}

    events = []
    for e in gold["events"]:
        k = e["sentence"]
        events.append({
            "sentence": k, "trigger": at(k, {"text": e["trigger"], "occurrence": e.get("occurrence")}),
            "cameo": e["cameo"], "cameo_root": e["cameo"][:2],
            "source": at(k, e.get("source"), ("refers_to",)),
            "target": at(k, e.get("target"), ("refers_to",)),
            "location": at(k, e.get("location")), "date": e.get("date"),
            "certainty": e["certainty"], **({"note": e["note"]} if e.get("note") else {}),
        })  # fmt: skip
    non_events = [
        {"sentence": n["sentence"], "kind": n["kind"], **at(n["sentence"], n)}
        for n in gold.get("non_events", [])
    ]
    return {
        "id": article["id"], "batch": batch, "source": article["source"],
        "category": article["category"], "published": article["published"],
        "title": article["title"], "text": text, "sentences": spans,
        "events": events, "non_events": non_events,
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("select").set_defaults(run=select)
    sub.add_parser("select-rare").set_defaults(run=select_rare)
    p = sub.add_parser("check")
    p.add_argument("files", nargs="+")
    p.set_defaults(run=check)
    p = sub.add_parser("agreement")
    p.add_argument("batches", nargs="+", help="batch names annotated by A and B (batch-02 ...)")
    p.set_defaults(run=agreement)
    sub.add_parser("build").set_defaults(run=build)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
