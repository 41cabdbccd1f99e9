"""Sentence rows from articles, annotation loading, and the article-level dataset builder."""

from __future__ import annotations

import hashlib
import json
import logging
import random
import shutil
from collections import Counter, defaultdict
from pathlib import Path

from datasets import ClassLabel, Dataset, DatasetDict, Features, Sequence, Value, load_from_disk
from datasets.utils.tqdm import disable_progress_bars, enable_progress_bars

from claimtype.context import context_parts, neighbours
from claimtype.io import read_jsonl
from claimtype.labels import LABEL2ID, LABELS, check_label
from claimtype.text import split_sentences

SILVER_ANNOTATOR = "rules"
TEACHER_PREFIX = "teacher-"  # annotator of a teacher model's soft labels: teacher-<run>

log = logging.getLogger(__name__)


def sentence_rows(article: dict) -> list[dict]:
    """Every sentence of an article as a row with provenance, its neighbours and the article's title."""
    sentences = split_sentences(article["text"])
    previous, following = neighbours([s.text for s in sentences])
    rows = []
    for sentence, prev_text, next_text in zip(sentences, previous, following, strict=True):
        rows.append(
            {
                "sentence_id": f"{article['doc_id']}:{sentence.index}",
                "doc_id": article["doc_id"],
                "corpus": article["corpus"],
                "source_record_id": article["source_record_ids"][0],
                "sentence_index": sentence.index,
                "start": sentence.start,
                "end": sentence.end,
                "text": sentence.text,
                "prev_text": prev_text,
                "next_text": next_text,
                "title": article.get("title") or "",
            }
        )
    return rows


# --- annotations -----------------------------------------------------------------------------------

GOLD_FIELDS = (
    "sentence_id",
    "doc_id",
    "corpus",
    "source_record_id",
    "sentence_index",
    "start",
    "end",
    "text",
    "prev_text",
    "label",
    "annotator",
)


def annotation_kind(annotator: str) -> str:
    """gold (a person or annotator agent), silver (the cue rules) or teacher (a model's soft labels)."""
    if annotator == SILVER_ANNOTATOR:
        return "silver"
    return "teacher" if annotator.startswith(TEACHER_PREFIX) else "gold"


def load_annotations(path: Path | str, kind: str = "gold") -> list[dict]:
    """Read gold, silver or teacher rows, checking that every row has the fields, a known label and
    the file's kind: a gold file never holds a rule's or a model's label, and the other way round.
    Teacher rows also carry ``probs``, the teacher's probability of each label (LABELS order)."""
    rows = []
    for row in read_jsonl(path):
        missing = [f for f in GOLD_FIELDS if f not in row]
        if missing:
            raise ValueError(f"{path}: row {row.get('sentence_id', '?')} lacks {', '.join(missing)}")
        check_label(row["label"])
        if annotation_kind(row["annotator"]) != kind:
            raise ValueError(f"{path}: {kind} file holds a row annotated by {row['annotator']!r}")
        if kind == "teacher":
            probs = row.get("probs")
            if not isinstance(probs, list) or len(probs) != len(LABELS) or abs(sum(probs) - 1) > 1e-3:
                raise ValueError(
                    f"{path}: teacher row {row['sentence_id']} needs probs: {len(LABELS)} summing to 1"
                )
        rows.append(row)
    return rows


# --- article-level, label-stratified split ---------------------------------------------------------

# validation and test: complete articles only (every sentence, the natural label mix), which is what
# users label; test_cue: the cue-drawn test articles of the first gold corpus, a second named report.
SPLITS = ("train", "validation", "test", "test_cue")
COMPLETE_DRAW = "complete-article"


def split_by_article(rows: list[dict], validation: float, test: float, seed: int) -> dict[str, str]:
    """Assign each article (doc_id) to a split; sentences never straddle splits.

    Greedy stratification over (source corpus, label) strata: articles are placed largest first
    (ties broken by a seeded shuffle) into the split with the most *relative* room left for the
    article's strata, so each split follows the corpus mix by source and by label as far as whole
    articles allow. Deterministic for a given seed and input.
    """
    fractions = {"train": 1.0 - validation - test, "validation": validation, "test": test, "test_cue": 0.0}
    if min(fractions.values()) < 0:
        raise ValueError(f"split fractions must leave room for train: validation={validation}, test={test}")
    doc_strata: dict[str, Counter] = defaultdict(Counter)
    for row in rows:
        doc_strata[row["doc_id"]][(row["corpus"], row["label"])] += 1
    totals = Counter(stratum for counts in doc_strata.values() for stratum in counts.elements())
    active = [s for s in SPLITS if fractions[s] > 0]
    filled = {s: Counter() for s in SPLITS}

    def room(split: str, counts: Counter) -> float:
        # Room left for this article's strata, as a share of each stratum's quota in the split.
        return sum(
            n * (fractions[split] * totals[k] - filled[split][k]) / (fractions[split] * totals[k])
            for k, n in counts.items()
        ) / sum(counts.values())

    docs = sorted(doc_strata)
    random.Random(seed).shuffle(docs)
    docs.sort(key=lambda d: -sum(doc_strata[d].values()))  # stable: the shuffled order breaks ties
    assignment = {}
    for doc in docs:
        best = max(active, key=lambda s: room(s, doc_strata[doc]))
        assignment[doc] = best
        filled[best].update(doc_strata[doc])
    return assignment


def read_doc_list(path: Path | str) -> set[str]:
    """Document ids, one a line (``#`` comments and blank lines ignored)."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def assign_splits(
    rows: list[dict], validation: float, test: float, seed: int, test_cue_docs: set[str]
) -> dict[str, str]:
    """doc_id -> split. Complete articles are split by article (stratified by corpus and label) into
    train / validation / test by the given fractions *of the complete articles*; the listed cue-drawn
    articles form ``test_cue``; every other article (cue-drawn, exchanges) is train."""
    complete = [r for r in rows if r.get("draw") == COMPLETE_DRAW]
    assignment = split_by_article(complete, validation, test, seed)
    for row in rows:
        if row["doc_id"] not in assignment:
            assignment[row["doc_id"]] = "test_cue" if row["doc_id"] in test_cue_docs else "train"
    return assignment


ARTICLE_PARTS = {"next", "title"}  # context parts that older annotation files lack


def with_article_context(rows: list[dict], articles_path: Path | str | None) -> list[dict]:
    """Rows with ``next_text`` and ``title`` from their raw articles (split as the annotators saw
    them, so a sentence's neighbours are the splitter's); rows that have both are kept as they are."""
    docs = {r["doc_id"] for r in rows if "next_text" not in r or "title" not in r}
    if not docs:
        return rows
    if not articles_path or not Path(articles_path).is_file():
        raise FileNotFoundError(
            f"a context with next/title needs the raw articles (data.articles_path): {articles_path}"
        )
    found: dict[str, dict] = {}
    for article in read_jsonl(articles_path):
        if article["doc_id"] in docs:
            found.update((r["sentence_id"], r) for r in sentence_rows(article))
    missing = [r["sentence_id"] for r in rows if r["doc_id"] in docs and r["sentence_id"] not in found]
    if missing:
        raise ValueError(f"{len(missing)} annotated sentences are not in {articles_path}, e.g. {missing[0]}")
    return [
        {**r, "next_text": found[r["sentence_id"]]["next_text"], "title": found[r["sentence_id"]]["title"]}
        if r["doc_id"] in docs
        else r
        for r in rows
    ]


# --- the DatasetDict -------------------------------------------------------------------------------


def _fingerprint(paths: list[Path], settings: dict) -> str:
    """Cache key: the input files, the settings, and this module's code (the split logic lives here)."""
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True).encode())
    digest.update(Path(__file__).read_bytes())
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _features() -> Features:
    return Features(
        {
            "sentence_id": Value("string"),
            "doc_id": Value("string"),
            "corpus": Value("string"),
            "text": Value("string"),
            "prev_text": Value("string"),
            "next_text": Value("string"),
            "title": Value("string"),
            "label": ClassLabel(names=list(LABELS)),
            "weight": Value("float32"),
            "soft": Sequence(Value("float32"), length=len(LABELS)),
            "annotator": Value("string"),
        }
    )


def _to_columns(rows: list[dict], weight: float) -> dict[str, list]:
    """Rows as dataset columns. ``soft``: a teacher's probabilities, all zero for a hard (gold or
    silver) label; ``next_text`` and ``title`` are empty where an annotation file does not have them."""
    no_soft = [0.0] * len(LABELS)
    return {
        "sentence_id": [r["sentence_id"] for r in rows],
        "doc_id": [r["doc_id"] for r in rows],
        "corpus": [r["corpus"] for r in rows],
        "text": [r["text"] for r in rows],
        "prev_text": [r["prev_text"] for r in rows],
        "next_text": [r.get("next_text") or "" for r in rows],
        "title": [r.get("title") or "" for r in rows],
        "label": [LABEL2ID[r["label"]] for r in rows],
        "weight": [weight] * len(rows),
        "soft": [r.get("probs", no_soft) for r in rows],
        "annotator": [r["annotator"] for r in rows],
    }


def sample_rows(rows: list[dict], max_rows: int, seed: int, rare_first: bool = False) -> list[dict]:
    """A seeded sample of ``max_rows`` rows, in file order. ``rare_first`` keeps every row whose label
    is not ``assertion`` (up to ``max_rows``) and fills the rest with assertions: a capped teacher file
    then keeps what the teacher says about the rare labels, where the student is weak, instead of the
    file's mix (87% assertions)."""
    rng = random.Random(seed)
    if rare_first:
        rare = [i for i, r in enumerate(rows) if r["label"] != LABELS[0]]
        common = [i for i, r in enumerate(rows) if r["label"] == LABELS[0]]
        keep = set(rng.sample(rare, min(len(rare), max_rows)))
        keep |= set(rng.sample(common, max_rows - len(keep)))
    else:
        keep = set(rng.sample(range(len(rows)), max_rows))
    return [r for i, r in enumerate(rows) if i in keep]


def build_dataset(
    gold_path: Path | str,
    processed_dir: Path | str,
    validation: float = 0.25,
    test: float = 0.25,
    seed: int = 13,
    test_cue_path: Path | str | None = None,
    silver_path: Path | str | None = None,
    silver_weight: float = 1.0,
    silver_max_rows: int | None = None,
    teacher_path: Path | str | None = None,
    teacher_weight: float = 1.0,
    teacher_max_rows: int | None = None,
    teacher_rare_first: bool = False,
    context: str = "none",
    articles_path: Path | str | None = None,
) -> DatasetDict:
    """Build (or load the cached) train/validation/test DatasetDict, split by article.

    Validation and test hold complete articles only; ``test_cue`` the listed cue-drawn articles
    (``test_cue_path``). Train holds no sentence whose text is also in a held-out split (repeated
    wire copy). Silver rows and a teacher's soft labels join *train* only, and only from articles
    that are in no other split and sentences whose text is in none, so evaluation stays gold-only and
    leak-free. A ``context`` reading the next sentence or the title fills those from the raw
    articles (``articles_path``) for rows whose annotation file lacks them. The cache key covers input bytes and settings, so a
    change to any annotation file or option rebuilds the dataset.
    """
    gold_path = Path(gold_path)
    if test_cue_path and not Path(test_cue_path).is_file():  # e.g. a gold file of one's own, outside the repo
        log.warning("no test_cue article list at %s: the test_cue split is left empty", test_cue_path)
        test_cue_path = None
    inputs = [gold_path] + [Path(p) for p in (test_cue_path, silver_path, teacher_path) if p]
    for path in inputs:
        if not path.is_file():
            hint = (
                " (`make silver` or `claimtype data silver` builds it)"
                if silver_path and path == Path(silver_path)
                else ""
            )
            raise FileNotFoundError(f"annotation file not found: {path}{hint}")
    settings = {
        "validation": validation,
        "test": test,
        "seed": seed,
        "silver_weight": silver_weight,
        "silver_max_rows": silver_max_rows,
        "teacher_weight": teacher_weight,
        "teacher_max_rows": teacher_max_rows,
        "teacher_rare_first": teacher_rare_first,
        "article_context": sorted(ARTICLE_PARTS & set(context_parts(context))),
    }
    cache_dir = Path(processed_dir) / _fingerprint(inputs, settings)
    if (cache_dir / "dataset_dict.json").is_file():
        return load_from_disk(str(cache_dir))

    gold = load_annotations(gold_path)
    if settings["article_context"]:
        if not articles_path or not Path(articles_path).is_file():
            raise FileNotFoundError(
                f"data.context={context} needs the raw articles: not found at {articles_path}"
            )
        gold = with_article_context(gold, articles_path)
    test_cue = read_doc_list(test_cue_path) if test_cue_path else set()
    assignment = assign_splits(gold, validation, test, seed, test_cue)
    by_split = {s: [r for r in gold if assignment[r["doc_id"]] == s] for s in SPLITS}
    # Wire copy and stock sentences repeat across articles: a training sentence whose text is also
    # in validation or a test split would let the model see a held-out sentence with its label.
    held_out_texts = {r["text"] for s in SPLITS if s != "train" for r in by_split[s]}
    unseen = [r for r in by_split["train"] if r["text"] not in held_out_texts]
    if len(unseen) < len(by_split["train"]):
        log.info(
            "train: %d sentences left out, their text is in a held-out split",
            len(by_split["train"]) - len(unseen),
        )
    by_split["train"] = unseen
    held_out = {d for d, s in assignment.items() if s != "train"}
    gold_ids = {r["sentence_id"] for r in gold}

    def train_only(
        path: Path | str | None, kind: str, max_rows: int | None, rare_first: bool = False
    ) -> list[dict]:
        """Extra rows for train: none from a held-out article, a gold sentence or a held-out text."""
        if not path:
            return []
        rows = [
            r
            for r in load_annotations(path, kind)
            if r["doc_id"] not in held_out
            and r["sentence_id"] not in gold_ids
            and r["text"] not in held_out_texts
        ]
        if max_rows is not None and len(rows) > max_rows:
            rows = sample_rows(rows, max_rows, seed, rare_first)
        return rows

    silver = train_only(silver_path, "silver", silver_max_rows)
    teacher = train_only(teacher_path, "teacher", teacher_max_rows, teacher_rare_first)
    columns = {s: _to_columns(by_split[s], 1.0) for s in SPLITS}
    for extra, weight in ((silver, silver_weight), (teacher, teacher_weight)):
        for key, values in _to_columns(extra, weight).items():
            columns["train"][key].extend(values)
    # A split with no article (a small gold file without cue-drawn test articles) is left out.
    dataset = DatasetDict(
        {s: Dataset.from_dict(columns[s], features=_features()) for s in SPLITS if columns[s]["sentence_id"]}
    )

    tmp_dir = cache_dir.with_name(cache_dir.name + ".tmp")
    shutil.rmtree(tmp_dir, ignore_errors=True)
    disable_progress_bars()
    dataset.save_to_disk(str(tmp_dir))
    enable_progress_bars()
    shutil.rmtree(cache_dir, ignore_errors=True)
    tmp_dir.rename(cache_dir)
    return load_from_disk(str(cache_dir))


def build_dataset_from_config(data_cfg) -> DatasetDict:
    """``build_dataset`` with the ``data`` config group's settings."""
    return build_dataset(
        gold_path=data_cfg.gold_path,
        processed_dir=data_cfg.processed_dir,
        validation=data_cfg.split.validation,
        test=data_cfg.split.test,
        seed=data_cfg.split.seed,
        test_cue_path=data_cfg.get("test_cue_articles"),
        silver_path=data_cfg.silver_path if data_cfg.use_silver else None,
        silver_weight=data_cfg.silver_weight,
        silver_max_rows=data_cfg.silver_max_rows,
        teacher_path=data_cfg.teacher_path if data_cfg.use_teacher else None,
        teacher_weight=data_cfg.teacher_weight,
        teacher_max_rows=data_cfg.teacher_max_rows,
        teacher_rare_first=data_cfg.teacher_rare_first,
        context=data_cfg.context,
        articles_path=data_cfg.articles_path,
    )
