"""What training measured, as a dict for the service and a table for people."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class TrainingReport:
    output: str
    base_model_name: str
    base_model_version: int
    order: int
    vocab_size: int
    ngram_counts: dict[int, int]
    training_lines: int
    training_words: int
    tuning_source: str  # "tuning files", "held-out 5% of training lines" or "none"
    tuning_words: int
    tuning_perplexity: float | None
    tuning_oov_rate: float | None
    perplexity_by_order: dict[int, float] = field(default_factory=dict)
    discounts: dict[int, list[float]] = field(default_factory=dict)
    general_words: int = 0  # vocabulary added by the general-English prior
    general_weight: float = 0.0  # mu, the prior's tuned weight at the unigram level
    perplexity_by_general_weight: dict[float, float] = field(default_factory=dict)
    pruned: bool = False
    domain_terms: int = 0  # salient words kept for contextual biasing (see lm.terms)
    spelling_variants: int = 0  # variant spellings written the domain's way (see lm.spelling)
    min_counts: dict[int, int] = field(default_factory=dict)  # > 1 where the memory bound cut n-grams
    # the same text over Whisper's BPE tokens, what the decoder fuses (None: not trained)
    token_order: int | None = None
    token_vocab_size: int = 0
    token_perplexity: float | None = None
    token_tokenizer: str = ""  # the base model tokenizer's fingerprint (lm.bpe.tokenizer_fingerprint)
    # share of the tuning words among general English's 1,000 commonest (lm.general.everyday_share):
    # the decoder may fuse a CLM of everyday conversation at less weight (FusionSettings.text_weight)
    everyday_share: float | None = None
    warnings: list[str] = field(default_factory=list)  # text that trains but serves poorly (lm.text_checks)
    file_bytes: int = 0
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        def num(v: float | None, fmt: str = ".2f") -> str:
            return "n/a" if v is None else format(v, fmt)

        rows = [
            ("output", f"{self.output} ({self.file_bytes / 1e6:.1f} MB)"),
            ("base model", f"{self.base_model_name} v{self.base_model_version}"),
            ("order", str(self.order) + (" (singletons pruned)" if self.pruned else "")
             + "".join(f", {n}-grams seen < {m}x dropped" for n, m in self.min_counts.items() if m > 1)),
            ("vocabulary", f"{self.vocab_size:,} ({self.general_words:,} from general English)"),
            ("general weight", f"{self.general_weight:g}"),
            ("domain terms", f"{self.domain_terms:,}"),
            ("spelling variants", f"{self.spelling_variants:,}"),
            ("n-grams", ", ".join(f"{n}: {c:,}" for n, c in sorted(self.ngram_counts.items()))),
            ("training", f"{self.training_lines:,} lines, {self.training_words:,} words"),
            ("tuning", f"{self.tuning_source}, {self.tuning_words:,} words"),
            ("tuning perplexity", num(self.tuning_perplexity)),
            ("tuning OOV rate", num(None if self.tuning_oov_rate is None else 100 * self.tuning_oov_rate) + " %"),
            ("everyday words", num(None if self.everyday_share is None else 100 * self.everyday_share, ".1f")
             + " % of tuning words among English's 1,000 commonest"),
        ]
        if self.perplexity_by_general_weight:
            rows.append(("perplexity by weight", ", ".join(
                f"{m:g}: {p:.2f}" for m, p in sorted(self.perplexity_by_general_weight.items()))))
        if self.perplexity_by_order:
            rows.append(("perplexity by order", ", ".join(
                f"{n}: {p:.2f}" for n, p in sorted(self.perplexity_by_order.items()))))
        if self.token_order:
            rows.append(("token-level model", f"order {self.token_order}, {self.token_vocab_size:,} BPE tokens, "
                         f"tuning perplexity {num(self.token_perplexity)} per token"))
        rows.append(("time", f"{self.seconds:.1f} s (" + ", ".join(
            f"{k} {v:.1f} s" for k, v in self.timings.items()) + ")"))
        rows += [("warning", warning) for warning in self.warnings]
        width = max(len(k) for k, _ in rows)
        return "\n".join(f"{k:<{width}}  {v}" for k, v in rows)


def report_from_dict(values: dict) -> TrainingReport:
    """A report stored as JSON (whose object keys became strings) as a TrainingReport again."""
    known = {f for f in TrainingReport.__dataclass_fields__}
    report = TrainingReport(**{k: v for k, v in values.items() if k in known})
    for name, key_type in (("ngram_counts", int), ("perplexity_by_order", int), ("discounts", int),
                           ("min_counts", int), ("perplexity_by_general_weight", float)):
        setattr(report, name, {key_type(k): v for k, v in getattr(report, name).items()})
    return report
