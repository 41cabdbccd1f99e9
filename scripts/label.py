"""Label articles: `python scripts/label.py model_dir=... input=... output=out.jsonl [output_html=view.html]`.

Input: a .txt article, a directory of them, a .jsonl/.json of {"id", "text"} records, a .csv, or -.
Re-running the same command resumes: documents already written are skipped.
"""

import logging
from pathlib import Path

import hydra
from omegaconf import DictConfig

from claimtype.cli import user_errors_exit

log = logging.getLogger("claimtype.label")


@hydra.main(config_path="../configs", config_name="label", version_base="1.3")
@user_errors_exit
def main(cfg: DictConfig) -> None:
    import torch
    from transformers.utils import logging as hf_logging

    from claimtype import labeller
    from claimtype.html_view import render_html
    from claimtype.inference import ClaimTypeClassifier
    from claimtype.io import atomic_write_text

    hf_logging.disable_progress_bar()  # "Loading weights" bars: stderr is for our one error line

    # Everything that can be wrong with the configuration or the model fails here, before any output.
    output = Path(cfg.output)
    labeller.check_output(cfg.output)
    labeller.check_input(str(cfg.input), cfg.glob, cfg.text_field)
    if cfg.output_html and not str(cfg.output_html).endswith(".html"):
        raise ValueError(f"output_html must end in .html, got {cfg.output_html!r}")
    if not 0.0 <= cfg.min_score <= 1.0:
        raise ValueError(f"min_score must be between 0 and 1, got {cfg.min_score}")
    if cfg.batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {cfg.batch_size}")
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    try:  # from_pretrained checks the label maps (read_metadata) before loading the weights
        classifier = ClaimTypeClassifier.from_pretrained(
            cfg.model_dir, quantize=cfg.quantize, batch_size=cfg.batch_size, backend=cfg.backend
        )
    except (FileNotFoundError, ValueError):
        raise  # read_metadata's own one-line messages
    except OSError as error:  # transformers' missing weights or tokenizer: its first line only
        first_line = str(error).strip().splitlines()[0]
        raise ValueError(f"{cfg.model_dir} is not a loadable checkpoint: {first_line}") from None

    documents = labeller.read_documents(str(cfg.input), cfg.glob, cfg.text_field)
    summary = labeller.label_documents(
        classifier, documents, output, cfg.split_sentences, cfg.min_score, overwrite=cfg.overwrite
    )
    if cfg.output_html:
        atomic_write_text(cfg.output_html, render_html(labeller.read_output_rows(output)))
        log.info("HTML view: %s", cfg.output_html)
    print(summary.render())
    skipped = f" (skipped documents: {labeller.skipped_path(output)})" if summary.skipped else ""
    print(f"output: {output}{skipped}")


if __name__ == "__main__":
    main()
