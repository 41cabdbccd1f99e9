"""Memory: the peak RSS of ``claimtype label`` on an archive and on the same archive repeated.

A streaming labeller's peak should barely grow with the input; each run is a fresh process.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from omegaconf import DictConfig
from tqdm.auto import tqdm

from claimtype.benchmark.common import label_command, run_logged
from claimtype.benchmark.results import Memory, MemoryRun
from claimtype.io import read_jsonl, write_jsonl

log = logging.getLogger(__name__)

# Runs the command as its own child and writes that child's peak RSS (KiB). Measuring a child of the
# benchmark itself would count the pages it shares with this large process between fork and exec.
_PEAK_RSS_PROBE = (
    "import resource, subprocess, sys; code = subprocess.call(sys.argv[2:]); "
    "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)); "
    "sys.exit(code)"
)


def peak_rss(command: list[str], log_path: Path, cwd: Path) -> tuple[float, float]:
    """Run a command in a fresh process; its peak RSS in MiB (its own ru_maxrss) and wall seconds."""
    peak_path = log_path.with_suffix(".peak")
    seconds = run_logged([sys.executable, "-c", _PEAK_RSS_PROBE, str(peak_path), *command], log_path, cwd)
    return int(peak_path.read_text()) / 1024, seconds


def measure_label_memory(
    model_dir: Path,
    articles_path: Path,
    n_articles: int,
    factor: int,
    workdir: Path,
    root: Path,
    inference: DictConfig,
) -> Memory:
    """Peak RSS of ``python -m claimtype label`` on the archive's first ``n_articles`` articles, and on
    the same articles repeated ``factor`` times, with the benchmark's inference settings."""
    texts = []
    for record in read_jsonl(articles_path):
        if len(texts) == n_articles:
            break
        texts.append(record["text"])
    workdir.mkdir(parents=True, exist_ok=True)
    runs = []
    for copies in tqdm((1, factor), desc="memory", unit="run"):
        archive = workdir / f"archive-{len(texts) * copies}.jsonl"
        write_jsonl(
            archive, ({"id": f"a{i}-{c}", "text": t} for c in range(copies) for i, t in enumerate(texts))
        )
        output = archive.with_name(f"labels-{len(texts) * copies}.jsonl")
        command = label_command(model_dir, archive, output, inference)
        peak, seconds = peak_rss(command, output.with_suffix(".log"), root)
        with output.open(encoding="utf-8") as handle:
            sentences = sum(1 for _ in handle)
        runs.append(MemoryRun(len(texts) * copies, sentences, peak, seconds))
        log.info(
            "labelled %d articles (%d sentences): peak RSS %.1f MiB", len(texts) * copies, sentences, peak
        )
    return Memory(
        runs=runs,
        backend=inference.backend,
        quantize=inference.quantize,
        batch_size=inference.batch_size,
        growth_percent=100.0 * (runs[1].peak_rss_mib / runs[0].peak_rss_mib - 1.0),
    )
