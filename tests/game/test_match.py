"""An action item written in words reads as the catalogue remediation it describes, or as none:
a senior writes "alert on the canary revision's own error ratio", not `mon-canary-errors`."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oncall.content import loader
from oncall.game.remediations import BY_ID, MONITORS, described
from oncall.game.remediations import match as words

CANARY = "Alert on the canary revision's own error ratio"


def test_the_canary_sentence_reads_as_the_canary_monitor() -> None:
    assert described(CANARY, "detect") == "mon-canary-errors"


# Paraphrases written for this test, none of them a monitor's title: each shares a few of the
# monitor's own words and says the rest differently.
PARAPHRASES = {
    "mon-canary-errors": "Page if canary pods return more 5xx than the stable revision",
    "mon-null-rate": "Alert when a feature arrives empty in more than a few percent of requests",
    "mon-gpu-headroom": "Warn when GPU framebuffer usage gets close to full",
    "mon-memory-headroom": "Alert when container memory nears its limit",
    "mon-node-disk": "Warn when node disk fills up",
    "mon-scrape-health": "Alert when Prometheus stops scraping a serving pod",
    "mon-feature-freshness": "Alert when the feature store has not materialised a feature for "
                             "a while",
    "mon-cpu-throttling": "Alert when CPU throttling exceeds a quarter of periods",
    "mon-gpu-saturation": "Warn when the GPUs stay saturated",
    "mon-category-coverage": "Alert when categorical inputs carry values unseen in training",
    "mon-prediction-shift": "Warn earlier when the mean prediction drifts from training",
    "mon-burn-slow": "Alert when the error budget burns slowly over 6 hours",
    "mon-feature-range": "Alert when an input feature's average leaves its training range",
    "mon-label-volume": "Watch the label pipeline volume",
    "mon-autoscaler-ceiling": "Alert when the HPA has been pinned at its max replicas",
}


@pytest.mark.parametrize("rid", sorted(PARAPHRASES))
def test_a_paraphrase_of_a_monitor_reads_as_it(rid: str) -> None:
    text = PARAPHRASES[rid]
    assert text.lower() != BY_ID[rid].title.lower()
    assert described(text, "detect") == rid


@pytest.mark.parametrize(("text", "type_", "rid"), [
    ("Soak test each release so memory levels off", "prevent", "test-soak"),
    ("Add a data contract checking feature types and units on each producer release",
     "prevent", "test-feature-schema"),
    ("Runbook: split by revision, pause the canary first", "mitigate", "runbook-revision-split"),
])
def test_tests_and_runbooks_read_from_prevent_and_mitigate_items(text: str, type_: str,
                                                                 rid: str) -> None:
    assert described(text, type_) == rid


@pytest.mark.parametrize("text", [
    "Add monitors for feature ranges, null rates, prediction shift, canary errors, GPU memory, "
    "disk and scrape health",
    "Alert on everything: features, predictions, canary, GPU, memory, disk, labels, freshness, "
    "throttling",
    "Alert on the canary error ratio, GPU memory headroom and feature null rates",
])
def test_a_sentence_listing_many_monitors_reads_as_none(text: str) -> None:
    assert described(text, "detect") is None


@pytest.mark.parametrize("text", ["Write better docs", "Improve on-call training",
                                  "Fix the model", "Add more alerts"])
@pytest.mark.parametrize("type_", ["detect", "prevent", "mitigate", "repair"])
def test_an_unrelated_sentence_reads_as_none(text: str, type_: str) -> None:
    assert described(text, type_) is None


def test_an_id_or_an_alert_name_reads_exactly() -> None:
    assert described("Ship mon-canary-errors for the ranker", "detect") == "mon-canary-errors"
    alert = MONITORS["mon-cpu-throttling"].alert
    assert described(f"Route {alert} to the serving team", "repair") == "mon-cpu-throttling"
    # named exactly, whatever the type says
    assert described("Look into test-soak", "investigate") == "test-soak"
    # two named: which one is meant is not for the game to guess
    assert described("Add mon-canary-errors and mon-null-rate", "detect") is None


def test_the_type_says_what_kind_an_item_can_describe() -> None:
    # a runbook's words in a detect item: the item says something else than a monitor
    assert described("Runbook for canary regressions: split by revision", "detect") is None
    # the canary monitor's own words in an investigation: an investigation is no remediation
    assert described(CANARY, "investigate") is None


def test_the_index_is_built_once_from_the_catalogue_and_is_deterministic() -> None:
    idx = words.index()
    assert idx is words.index()
    assert set(idx.ids) == set(BY_ID)
    again = words.build(dict(BY_ID))
    assert again.ids == idx.ids
    assert (again.docs == idx.docs).all()


def test_a_content_folders_remediation_is_read_by_its_own_words(tmp_path: Path) -> None:
    text = "Replay a day of shadow traffic against every release candidate"
    assert described(text, "prevent") is None
    (tmp_path / "registries").mkdir()
    (tmp_path / "registries" / "remediations.yaml").write_text(
        "remediations:\n- id: test-shadow-replay\n  kind: test\n  title: a shadow replay "
        "of a day of production traffic against each release candidate\n"
        "  ml_test_score: In4\n  test: {checks: golden_set}\n")
    try:
        loader.use_content([tmp_path])
        assert "test-shadow-replay" in BY_ID
        assert described(text, "prevent") == "test-shadow-replay"
    finally:
        os.environ.pop(loader.CONTENT_ENV, None)
        loader.clear_caches()
    assert "test-shadow-replay" not in BY_ID
    assert described(text, "prevent") is None


@pytest.mark.parametrize(("text", "type_", "rid"), [
    ("Page on errors from the canary pods alone, split from the stable revision", "detect",
     "mon-canary-errors"),
    ("Block a promotion when the canary's error rate is worse than stable's", "prevent",
     "test-canary-gate"),
])
def test_an_item_that_shares_words_with_another_kind_reads_as_its_own_kind(
        text: str, type_: str, rid: str) -> None:
    """A detect item about the canary's errors shares "split", "revision" and "stable" with the
    revision-split runbook, and a canary gate's words with the canary monitor: the type says
    which kind it is, so only that kind competes."""
    assert described(text, type_) == rid


def test_an_acronyms_plural_is_the_acronym() -> None:
    """"GPUs" is the catalogue's "GPU": an item that says "the GPUs" reads as it does with
    "the GPU", and "certificate renewals" as the certificate monitor."""
    assert words.terms("idle GPUs") == words.terms("idle GPU")
    assert described("Page when the GPUs are saturated", "detect") == "mon-gpu-saturation"
    assert described("Alert on failed certificate renewals", "detect") == "mon-cert-expiry"
    assert described("Block a producer schema change from reaching the feature pipeline "
                     "unless the contract test passes", "prevent") == "test-feature-schema"


def test_the_index_is_read_back_from_disk_until_a_remediation_changes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A process that matches a postmortem reads the index the last one built; a catalogue
    whose words changed (an edited title) builds its own, and matches by it."""
    monkeypatch.setenv(loader.CACHE_ENV, str(tmp_path / "cache"))
    catalogue = dict(BY_ID)
    first = words._kept(catalogue)
    assert list((tmp_path / "cache").glob("match-*.pickle"))

    def never(catalogue: object) -> object:
        raise AssertionError("the index was built again")

    with monkeypatch.context() as m:
        m.setattr(words, "build", never)
        again = words._kept(catalogue)
    assert again.ids == first.ids and again.vocab == first.vocab
    assert (again.docs == first.docs).all() and (again.idf == first.idf).all()

    rid = "mon-node-disk"
    catalogue[rid] = catalogue[rid].model_copy(update={"title": "zeppelin hangar watch"})
    edited = words._kept(catalogue)
    assert words._kept(catalogue).vocab == edited.vocab  # the edited catalogue's own, kept
    assert "zeppelin" in edited.vocab and "zeppelin" not in first.vocab
    sims = edited.docs @ edited.vector("zeppelin hangar")
    assert edited.ids[int(sims.argmax())] == rid and sims.max() > 0


def test_the_english_stemmer_is_the_packages_own_and_leaves_the_package_importable() -> None:
    """The matcher loads Snowball's English stemmer without the package's other languages; it
    is the class the package hands out, stems every catalogue word alike, and a later
    `import snowballstemmer` works as usual (a fresh process: the package is not imported)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from oncall.game.remediations import BY_ID, match\n"
        "mine = match._stemmer()\n"
        "assert 'snowballstemmer' not in sys.modules, 'the whole package was imported'\n"
        "assert 'snowballstemmer.arabic_stemmer' not in sys.modules\n"
        "import snowballstemmer\n"
        "theirs = snowballstemmer.stemmer('english')\n"
        "assert type(mine) is type(theirs) and 'arabic' in snowballstemmer.algorithms()\n"
        "words = {w.lower() for r in BY_ID.values() for w in match._ALNUM.findall("
        "match.document(r))}\n"
        "assert len(words) > 200\n"
        "assert [mine.stemWord(w) for w in sorted(words)] == "
        "[theirs.stemWord(w) for w in sorted(words)]\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def _named_by_search(text: str, idx: words.Index) -> list[str]:
    """What `named` answers, by its definition: each id, then each alert name, searched for
    standing whole in the text."""
    low = text.lower()
    found = [r for r in idx.ids if re.search(rf"(?<![\w-]){re.escape(r)}(?![\w-])", low)]
    found += [rid for alert, rid in idx.alerts.items()
              if re.search(rf"\b{re.escape(alert)}\b", low)]
    return list(dict.fromkeys(found))


_PIECES = st.sampled_from([*BY_ID, *(m.alert for m in MONITORS.values()), "mon", "-", "_", " ",
                           ".", ",", "x", "É", "İ", "2", "\n", "/", "(", ")", "high"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=12).map("".join))
def test_named_finds_what_a_search_for_each_name_finds(text: str) -> None:
    idx = words.index()
    assert words.named(text, idx) == _named_by_search(text, idx)


def _vector_of_terms(text: str, idx: words.Index) -> list[float]:
    """A text's row as the index defines it: its terms (function words left out) counted."""
    import numpy as np

    v = np.zeros(len(idx.vocab))
    for t in words.terms(text):
        if t in idx.vocab:
            v[idx.vocab[t]] += 1.0
    return list(words.unit(np.log1p(v) * idx.idf))


@pytest.mark.parametrize("text", [CANARY, *PARAPHRASES.values(), "a an the of it is at be",
                                  "Alerting on the alerts that alert; a monitor monitoring"])
def test_a_texts_row_counts_its_terms_and_nothing_else(text: str) -> None:
    """`Index.vector` looks every stem up, function words too: none is in the vocabulary."""
    idx = words.index()
    assert not words._stop_stems() & set(idx.vocab)
    assert list(idx.vector(text)) == _vector_of_terms(text, idx)


def test_matching_with_the_index_read_from_disk_stems_no_stop_list(tmp_path: Path) -> None:
    """Once the index is on disk, a process that matches an action item stems the item's words
    and nothing else: the stop list's stems are only needed to build the index."""
    import subprocess
    import sys

    code = ("from oncall.game.remediations import described, match\n"
            "print(described('Alert on the canary revision own error ratio', 'detect'), "
            "match._stop_stems.cache_info().misses)\n")
    env = {**os.environ, "ONCALL_CACHE": str(tmp_path)}
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    again = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert first.returncode == again.returncode == 0, first.stderr + again.stderr
    assert first.stdout.split() == ["mon-canary-errors", "1"], "built: the stop list stemmed"
    assert again.stdout.split() == ["mon-canary-errors", "0"], first.stdout + again.stdout
