"""The facts the reference article must yield (issue #2's acceptance list)."""

from __future__ import annotations


def _entity(analysis, entity_id):
    found = [e for e in analysis.entities if e.id == entity_id]
    assert found, f"no entity {entity_id}; have {[e.id for e in analysis.entities]}"
    return found[0]


def test_article_metadata_and_clean_body(reference_analysis):
    article = reference_analysis.article
    assert article.title == "Quân đội NATO tính đường đột phá lực lượng tại Iraq?"
    assert article.author == "An Bình"
    assert article.publisher == "Soha"
    for chrome in ("Đường dây nóng", "Báo lỗi", "Vui lòng", "0943 113 999"):
        assert chrome not in article.text
    assert "Theo lệnh của ông Trump" in article.body
    assert article.lead.startswith("NATO được cho là")


def test_offsets_index_the_text(reference_analysis):
    text = reference_analysis.article.text
    for s in reference_analysis.sentences:
        assert text[s.start : s.end] == s.text
    for e in reference_analysis.entities:
        for m in e.mentions:
            assert text[m.start : m.end] == m.text
    for ev in reference_analysis.events:
        assert text[ev.trigger.start : ev.trigger.end] == ev.trigger.text


def test_entities_have_canonical_codes(reference_analysis):
    codes = {e.code for e in reference_analysis.entities}
    assert {"NATO", "USA", "IRQ", "IRN", "FRA", "DEU"} <= codes
    names = {e.name for e in reference_analysis.entities}
    assert {"Donald Trump", "Jens Stoltenberg", "Kay Bailey Hutchison", "Qasem Soleimani"} <= names
    assert {"Reuters", "Brussels", "Baghdad"} <= names
    assert _entity(reference_analysis, "country:USA").wikidata == "Q30"


def test_my_and_hoa_ky_are_one_entity(reference_analysis):
    usa = _entity(reference_analysis, "country:USA")
    surfaces = {m.text for m in usa.mentions}
    assert {"Mỹ", "Hoa Kỳ"} <= surfaces


def test_people_carry_title_codes(reference_analysis):
    trump = _entity(reference_analysis, "person:donald-trump")
    assert trump.code == "USAGOV"
    assert {m.text for m in trump.mentions} >= {"Donald Trump", "Trump"}
    assert _entity(reference_analysis, "person:qasem-soleimani").code == "IRNMIL"


def test_killing_of_soleimani_is_us_against_iran(reference_analysis):
    hits = [
        e
        for e in reference_analysis.events
        if e.cameo
        and e.cameo[:2] in ("18", "19")
        and e.source
        and (e.source.code or "").startswith("USA")
        and e.target
        and (e.target.code or "").startswith("IRN")
    ]
    assert hits
    assert all(e.plover == "ASSAULT" for e in hits)


def test_nato_meeting_in_brussels_on_12_february(reference_analysis):
    def codes(e):
        return {a.code for a in (e.source, e.target) if a is not None}

    hits = [
        e
        for e in reference_analysis.events
        if e.cameo and e.cameo[:2] in ("03", "04") and e.date == "--02-12" and "NATO" in codes(e)
    ]
    assert hits
    assert any(
        e.location and e.location.entity == "city:brussels"
        for e in reference_analysis.events
        if e.date == "--02-12"
    )


def test_quantities(reference_analysis):
    values = {q.value for e in reference_analysis.events for q in e.quantities}
    assert {500, 2000} <= values
    via_reuters = [
        e
        for e in reference_analysis.events
        if any(q.value == 2000 for q in e.quantities)
        and e.attribution
        and e.attribution.via
        and e.attribution.via.entity == "agency:reuters"
    ]
    assert via_reuters and all(e.certainty in ("reported", "possible") for e in via_reuters)
    assert "ẩn danh" in via_reuters[0].attribution.speaker.text


def test_reported_nato_event(reference_analysis):
    assert any(
        e.certainty == "reported" and e.source and e.source.code == "NATO"
        for e in reference_analysis.events
    )


def test_stoltenberg_speaks(reference_analysis):
    speakers = {
        e.attribution.speaker.entity
        for e in reference_analysis.events
        if e.attribution and e.attribution.speaker
    }
    assert "person:jens-stoltenberg" in speakers
    # "Ông nói thêm rằng ..." refers back to him.
    assert "Ông" in {
        m.text for m in _entity(reference_analysis, "person:jens-stoltenberg").mentions
    }


def test_record_follows_the_contract(reference_analysis):
    record = reference_analysis.to_dict()
    assert set(record) >= {"article", "sentences", "entities", "events"}
    assert set(record["article"]) >= {
        "id",
        "title",
        "author",
        "publisher",
        "published",
        "url",
        "source",
        "lead",
        "body",
        "text",
        "language",
    }
    for ev in record["events"]:
        assert set(ev) >= {
            "sentence",
            "trigger",
            "type",
            "cameo",
            "plover",
            "source",
            "target",
            "location",
            "date",
            "quantities",
            "attribution",
            "certainty",
        }
        assert ev["certainty"] in {"asserted", "reported", "possible", "negated", "question"}
    for ent in record["entities"]:
        assert ent["type"] in {"PER", "ORG", "LOC", "MISC"}
