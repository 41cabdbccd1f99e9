"""The benchmark's typed results: what each part measures, and the report that collects them.

Plain dataclasses with no heavy imports, so the report can be rendered (and tested) without torch.
``dataclasses.asdict(report)`` is the JSON report, the source of truth for every rendered page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Machine:
    """What the timings depend on: hardware, library versions and how busy the machine was."""

    cpu: str
    int8_instructions: str  # the CPU's int8 dot-product extensions (int8 speed hinges on them)
    cores: int | None
    torch_threads: int
    ram_gib: float
    python: str
    torch: str
    transformers: str
    platform: str
    load_average_start: float
    load_average_end: float


@dataclass(frozen=True)
class DataSizes:
    """The gold split every classifier is scored on, and the speed sample's size."""

    gold_path: str
    train: int
    validation: int
    test: int
    speed_sentences: int


@dataclass(frozen=True)
class MethodResult:
    """One classifier's row: test scores, training cost and inference throughput."""

    name: str
    macro_f1: float
    accuracy: float
    per_label_f1: dict[str, float]
    train_seconds: float | None
    sentences_per_s: float
    note: str = ""


@dataclass(frozen=True)
class VariantScore:
    """A labeller variant's test macro-F1 against the fp32 reference's."""

    name: str
    backend: str
    quantize: str
    quantized: bool  # the loss target applies
    macro_f1: float
    loss_points: float  # 100 x (reference - this); negative: a gain
    test_changed: int  # test predictions that differ from the reference's


@dataclass(frozen=True)
class Headline:
    """The fine-tuned transformer against TF-IDF + LR, and what each other variant costs in macro-F1."""

    finetuned_macro_f1: float
    tfidf_macro_f1: float
    finetuned_minus_tfidf_points: float
    variants: list[VariantScore]


@dataclass(frozen=True)
class PathTiming:
    """One inference path timed on the shared sentences (``pipeline`` or a labeller variant)."""

    name: str
    seconds: list[float]  # one total per repeat
    median_seconds: float
    sentences_per_s: float
    speedup: float | None  # pipeline's median / this median; None for pipeline itself
    agreement_with_pipeline: float | None  # share of sentences with pipeline's top label


@dataclass(frozen=True)
class InferenceSpeed:
    """The labeller variants against ``transformers.pipeline`` on the same sentences."""

    sentences: int
    repeats: int
    chunk: int
    pipeline_batch_size: int
    batch_size: int
    max_length: int
    paths: list[PathTiming]
    not_run: dict[str, str]  # variant -> why it could not be loaded (e.g. a backend without that mode)


@dataclass(frozen=True)
class LoopTiming:
    """One training epoch: seconds over its batches and training sentences per second."""

    seconds: float
    sentences_per_s: float


@dataclass(frozen=True)
class TrainingSpeed:
    """One epoch of our loop against one of ``transformers.Trainer``, same settings."""

    base_model: str
    ours: LoopTiming
    trainer: LoopTiming
    ratio: float  # ours / Trainer, training sentences/s
    batch_size: int
    max_length: int
    group_by_length: bool
    cls_only_last_layer: bool


@dataclass(frozen=True)
class MemoryRun:
    """One ``claimtype label`` process: its input and output sizes, peak RSS and wall time."""

    articles: int
    sentences: int
    peak_rss_mib: float
    seconds: float


@dataclass(frozen=True)
class Memory:
    """Peak RSS of ``claimtype label`` on an archive and on the same archive repeated."""

    runs: list[MemoryRun]
    backend: str
    quantize: str
    batch_size: int
    growth_percent: float


@dataclass(frozen=True)
class EndToEnd:
    """Articles to labelled rows with the local labeller, against the model alone on its sentences."""

    corpus: str
    articles: int
    skipped_articles: int
    sentences: int
    repeats: int
    backend: str
    quantize: str
    batch_size: int
    pipeline_batch_size: int
    labeller_seconds: list[float]  # read, clean, split, tokenize, model, write
    pipeline_seconds: list[float]  # model only, on the labeller's sentences
    predict_seconds: list[float]  # ClaimTypeClassifier.predict, model only, the same sentences
    sentences_per_s: float  # the labeller's, from its median
    vs_pipeline: float  # pipeline's median / the labeller's
    vs_predict: float  # predict()'s median / the labeller's


@dataclass(frozen=True)
class SplitTime:
    """``split_sentences`` on a corpus's longest article (war_media's: one line of 125k characters)."""

    corpus: str
    doc_id: str
    characters: int
    longest_line: int
    sentences: int
    seconds: list[float]
    median_seconds: float


@dataclass(frozen=True)
class EngineRun:
    """``claimtype label`` with one engine on the end-to-end articles."""

    name: str
    actors: int | None  # Ray actors; None for the local engine
    overrides: list[str]  # beyond the shared command
    status: Literal["measured", "skipped", "failed"]
    reason: str = ""
    seconds: list[float] | None = None
    sentences: int | None = None
    median_seconds: float | None = None
    vs_local: float | None = None  # the local engine's median / this median


@dataclass(frozen=True)
class EngineComparison:
    """The Ray engine with N actors against the local engine, side by side on the same articles."""

    articles: int
    repeats: int
    runs: list[EngineRun]


@dataclass(frozen=True)
class Targets:
    """The goals the report compares figures with (configs/benchmark.yaml ``targets``; never asserted)."""

    labeller_vs_pipeline: float
    int8_max_loss_points: float
    end_to_end_vs_pipeline: float
    end_to_end_vs_predict: float
    split_125k_seconds: float
    memory_growth_percent: float
    training_vs_trainer: float


@dataclass(frozen=True)
class BenchmarkReport:
    """Everything one run measured; the optional parts are None when switched off."""

    generated: str
    command: str
    runtime_seconds: float
    machine: Machine
    data: DataSizes
    model_dir: str
    targets: Targets
    methods: list[MethodResult]
    headline: Headline
    inference_speed: InferenceSpeed
    training_speed: TrainingSpeed | None = None
    memory: Memory | None = None
    end_to_end: EndToEnd | None = None
    split: SplitTime | None = None
    engines: EngineComparison | None = None
