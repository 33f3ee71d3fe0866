"""`jargonaut lm train ...`: train a CLM from local files and print the report."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from jargonaut.errors import BadRequestError

BASE_MODELS = ("WideBand", "NarrowBand")




def register(subparsers: argparse._SubParsersAction) -> None:
    lm = subparsers.add_parser("lm", help="custom language models")
    lm_sub = lm.add_subparsers(dest="lm_command", required=True)
    train = lm_sub.add_parser("train", help="train a custom language model from plain-text files")
    train.add_argument("--training", type=Path, nargs="+", required=True, metavar="PATH",
                       help="UTF-8 plain-text files (up to 2 GB in all)")
    train.add_argument("--tuning", type=Path, nargs="+", default=None, metavar="PATH",
                       help="tuning text (up to 200 MB); default: hold out 5%% of training lines")
    train.add_argument("--output", type=Path, required=True, metavar="FILE", help="the .clm file to write")
    train.add_argument("--base-model", choices=BASE_MODELS, default="WideBand")
    train.add_argument("--order", type=int, default=None, help="n-gram order (default: chosen by perplexity)")
    prune = train.add_mutually_exclusive_group()
    prune.add_argument("--prune", dest="prune", action="store_true", default=None,
                       help="drop singleton 3+-grams (default: only for large corpora)")
    prune.add_argument("--no-prune", dest="prune", action="store_false")
    train.add_argument("--no-general", dest="general", action="store_false",
                       help="no general-English unigram prior (wordfreq)")
    train.add_argument("--json", action="store_true", help="print the report as JSON")
    train.add_argument("--quiet", action="store_true", help="no progress bars")
    train.set_defaults(func=run_train)


def run_train(args: argparse.Namespace) -> int:
    from jargonaut.asr.base_models import configured_base_models
    from jargonaut.lm.train import train_clm

    base = configured_base_models()[args.base_model]  # its version goes into the artefact header
    try:
        report = train_clm(
            args.training, args.tuning, args.output, base.name, base.version,
            order=args.order, progress=not args.quiet, prune=args.prune, general_prior=args.general,
            base_model_dir=base.model,
        )
    except BadRequestError as e:
        print(f"error: {e.message}", file=sys.stderr)
        return 2
    print(json.dumps(report.to_dict(), indent=2) if args.json else report)
    return 0

