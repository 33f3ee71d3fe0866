"""Custom vocabulary: WER and term recall without customisation, with faster-whisper `hotwords`,
with the vocabulary boosted in our fused decoder, with a CLM, and with CLM + vocabulary.

    python -m bench.vocabulary_boost [--set biomed|devops] [--limit N] [--weight W]

The vocabulary is the set's domain_terms.txt (one phrase each, as a user would list them);
the hotwords are the same terms, as many as faster-whisper's prompt takes. The CLM is trained
on the set's train.txt. 16 kHz (WideBand) only.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench.clm_wer import EVAL, synthetic_domain, train_lm


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", default="biomed", choices=("biomed", "devops"))
    parser.add_argument("--limit", type=int, default=20)
    parser.add_argument("--weight", type=float)
    parser.add_argument("--systems", default="plain,hotwords,vocabulary,clm,clm+vocabulary")
    args = parser.parse_args(argv)

    from jargonaut.asr.audio import decode
    from jargonaut.asr.decoder.phrase_boost import DEFAULT_WEIGHT
    from jargonaut.asr.engine import SpeechEngine
    from jargonaut.asr.vocabulary import phrase_words
    from jargonaut.evaluate.manifests import read_manifest
    from jargonaut.evaluate.metrics import load_terms, score_files

    weight = args.weight if args.weight is not None else DEFAULT_WEIGHT
    root = EVAL / "biomed-tts" if args.set == "biomed" else synthetic_domain("devops")
    terms = load_terms(root / "domain_terms.txt")
    phrases = [phrase_words(t.replace(" ", "-")) for t in terms]
    engine = SpeechEngine.from_settings()
    base = engine.base_models["WideBand"]
    options = engine.options.decode
    whisper = engine.batch_model(base)
    tokenizer = whisper.hf_tokenizer
    hot, used = [], 0
    for term in terms:
        n = len(tokenizer.encode(" " + term, add_special_tokens=False).ids)
        if used + n > 200:  # faster-whisper keeps the prompt within half the context
            break
        hot.append(term)
        used += n
    hotwords = " ".join(hot)
    items = read_manifest(root / "test.tsv", "wav16")[: args.limit]
    audio = {i.id: decode(i.audio) for i in items}
    seconds = sum(len(a) for a in audio.values()) / 16000
    with tempfile.TemporaryDirectory(prefix="vocab-bench-") as tmp:
        lm = train_lm([root / "train.txt"], Path(tmp)) if any("clm" in s for s in args.systems.split(",")) else None

        def plain(a):
            return engine.text(a, base)

        def with_hotwords(a):
            segments, _ = whisper.transcribe(a, language="en", beam_size=options.beam_size, hotwords=hotwords)
            return " ".join(s.text.strip() for s in segments if s.text.strip())

        systems = {
            "plain": plain,
            "hotwords": with_hotwords,
            "vocabulary": lambda a: engine.text(a, base, None, phrases=phrases, boost=weight),
            "clm": lambda a: engine.text(a, base, lm),
            "clm+vocabulary": lambda a: engine.text(a, base, lm, phrases=phrases, boost=weight),
        }
        print(f"{root.name} wav16, {len(items)} clips ({seconds:.0f} s audio), {len(terms)} terms, "
              f"{len(hot)} as hotwords, boost {weight}/token")
        for name in args.systems.split(","):
            started = time.perf_counter()
            pairs = [(i.id, i.reference, systems[name](audio[i.id])) for i in items]
            took = time.perf_counter() - started
            report = score_files(pairs, terms)
            print(f"{name:16s} WER {100 * report.wer:5.1f}%  term recall {100 * report.term_recall:5.1f}%  "
                  f"RTF {took / seconds:.2f}", flush=True)


if __name__ == "__main__":
    main()
