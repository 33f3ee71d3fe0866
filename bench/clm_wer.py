"""WER without vs with a custom language model (and vs faster-whisper hotwords).

    python -m bench.clm_wer [--set biomed|devops|medical|medical-dev|general] [--max-seconds N] [--save DIR]
                            [--telephone] [--setting FIELD=VALUE ...]

- medical: the 8 non-dev OSCE recordings, CLM trained on medical/lm-text/*.txt.
  `--max-seconds` scores only the first N seconds of each recording; the reference is cut
  where it best matches the plain system's hypothesis (the same cut for every system).
- medical-dev: CAR0001, GAS0001, MSK0001 (the only data alpha/beta were tuned on).
- biomed: biomed-tts test at 16 kHz (WideBand) and 8 kHz (NarrowBand), CLM on train.txt.
- devops: our own synthetic DevOps/SRE set (bench/domains/devops, Piper voice), same layout.
- general: general English with the *medical* CLM (how much a domain CLM costs off-domain).
`--telephone` (medical sets): each recording cut to the 300-3400 Hz band at 8 kHz, as the
synthetic domains' NarrowBand copies are (`bench.synth_domain.telephone`), and decoded with
NarrowBand and a NarrowBand CLM: real conversational speech below 16 kHz under a conversational
CLM, the case of real telephone or 11 kHz business calls.
Hotwords are built from the same CLM text: its most frequent words that Whisper's
tokenizer splits into 3+ pieces (words it finds rare), up to faster-whisper's prompt limit.
retrieved-hotwords is the two-pass peer: plain draft, then the CLM terms retrieved from
it as hotwords (see `retrieved_hotwords`).

`--lm-text aci|primock|biomed|devops` trains the CLM of the medical sets on other text: `aci` is
aci-bench-dialogues.txt alone (all lower case: the newcomer case of issue 12), `primock` is
primock57-consultations.txt alone (verbatim transcripts: fillers in 4% of the words, repeats
such as "a, a beer": the verbatim case of issue 12), `biomed` and `devops` are unrelated
domains (do-no-harm). "lc starts" counts sentences of the hypotheses
that start with a lower-case letter, "i" the pronoun written lower case (casing kept or lost);
"ends /100 w" counts sentence ends (".", "?", "!" before a space or the end) per 100 words of
the hypotheses: a CLM whose text is sparsely punctuated can make the fused search write
run-on sentences (punctuation style lost), which WER does not see. "fillers" counts hesitations
written ("um", "uh"; the normaliser drops them before scoring) and "repeats" words written twice
in a row ("we we"): a CLM from verbatim transcripts must not import either.
"rel. vs plain" is the relative WER reduction (> 0: better than plain) with its 95% interval,
a paired bootstrap over the recordings or clips (evaluate/significance.py): with 8 recordings
the interval is wide, and a difference inside it is not a finding.
"""
from __future__ import annotations

import argparse
import glob
import json
import re
import tempfile
from collections import Counter
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from bench.overrides import with_overrides

if TYPE_CHECKING:
    from jargonaut.lm.model import NgramLM

EVAL = Path(__file__).resolve().parents[1].parent / "shared" / "eval"
DEV_IDS = ("CAR0001", "GAS0001", "MSK0001")


def train_lm(files: list[Path], workdir: Path, base_name: str = "WideBand"):
    """A CLM of `files` for base model `base_name`, as the service trains one: its token model
    is over that base model's tokenizer (the engine fuses words instead where they differ)."""
    from jargonaut.lm.train import load_clm, train_clm

    clean = []
    # osce-other-consultations.txt holds one transcript in UTF-16 (line 5281: 18,706 NUL bytes),
    # which the service's validator rightly refuses (a clear FailureReason); dropping the NULs
    # leaves its ASCII text readable, so the bench trains on what the file means
    for f in files:
        out = workdir / f.name
        out.write_bytes(f.read_bytes().replace(b"\0", b""))
        clean.append(out)
    base = engine().base_models[base_name]
    path = workdir / f"bench-{base_name}.clm"
    train_clm(clean, None, path, base.name, base.version, base_model_dir=base.model)
    lm = load_clm(path)
    share = lm.header.get("everyday_share")
    fusion = engine().options.fusion_for(base)
    long = replace(fusion, long_form=True)
    print(f"CLM text ({', '.join(f.name for f in files)}): everyday share "
          f"{'n/a' if share is None else format(share, '.2f')}, alphas x{fusion.text_weight(share):g} "
          f"(x{long.clm_weight(share):g} past one window), token alpha {fusion.fused_token_alpha(share):g} "
          f"({long.fused_token_alpha(share):g})", flush=True)
    return lm


def lm_for(files: list[Path], workdir: Path, base_name: str, trained: dict[str, NgramLM]) -> NgramLM:
    """`train_lm` for `base_name`, trained once per base model directory (`trained` keeps them):
    bands on the same base model share one CLM, bands on different ones each get their own."""
    model = engine().base_models[base_name].model
    if model not in trained:
        trained[model] = train_lm(files, workdir, base_name)
    return trained[model]


SAMPLING_SEED = 1234


@lru_cache(maxsize=1)
def engine():
    """The engine every system here runs through (settings from the environment).

    CTranslate2's sampling is seeded first: faster-whisper's temperature fallback samples, and
    unseeded the same plain run of the medical dev split at 8 kHz came out at 624, 636 and 652
    errors; seeded, a run's transcripts are the same each time it is repeated (CTranslate2 seeds
    each of its threads' generators at their first draw, so the seed must come before any decode)."""
    import ctranslate2

    from jargonaut.asr.engine import SpeechEngine

    ctranslate2.set_random_seed(SAMPLING_SEED)
    return SpeechEngine.from_settings()


def plain_whisper(base: str):
    """The engine's loaded faster-whisper model, for the peers that call it directly."""
    options = engine().options.decode
    return engine().whisper(engine().base_models[base].model, options.compute_type, options.cpu_threads)


def hotwords_transcriber(base: str, hotwords: str, word_timestamps: bool = False):
    """Plain faster-whisper with a static `hotwords` prompt (a peer, not a system we ship)."""
    model = plain_whisper(base)

    def run(audio) -> str:
        segments, _ = model.transcribe(audio, language="en", beam_size=engine().options.decode.beam_size,
                                       hotwords=hotwords or None, word_timestamps=word_timestamps)
        return " ".join(s.text.strip() for s in segments if s.text.strip())

    return run


def hotwords_from(files: list[Path], max_tokens: int = 200) -> str:
    tok = plain_whisper("WideBand").hf_tokenizer
    counts: Counter[str] = Counter()
    for f in files:
        counts.update(re.findall(r"[A-Za-z][A-Za-z'-]+", f.read_bytes().decode("utf-8", "replace")))
    chosen, used = [], 0
    for word, _ in counts.most_common():
        n = len(tok.encode(" " + word, add_special_tokens=False).ids)
        if n >= 3 and used + n <= max_tokens:
            chosen.append(word)
            used += n
    return " ".join(chosen)


_SENTENCE_START = re.compile(r"(?:^|[.?!]\s+)[\"'(]*([^\W\d_])")
_LONE_I = re.compile(r"\bi\b(?!-)")


def lower_case_starts(text: str) -> int:
    """Sentences starting with a lower-case letter (how a lower-cased transcript shows)."""
    return sum(m.group(1).islower() for m in _SENTENCE_START.finditer(text))


_FILLER = re.compile(r"\b(?:u+m+|u+h+|e+r+m*|h+m+|m+h*m+|a+h+)\b", re.IGNORECASE)
_WORD = re.compile(r"[a-z0-9']+")


def fillers_and_repeats(text: str) -> tuple[int, int]:
    """Hesitations written ("um", "uh", "hmm") and words written twice in a row ("we we", "and,
    and"): what a CLM from verbatim transcripts could import. Whisper's English normaliser drops
    the fillers before scoring, so WER does not show them; a repeat it does count."""
    words = _WORD.findall(text.lower())
    return len(_FILLER.findall(text)), sum(a == b for a, b in zip(words, words[1:]))


def sentence_ends_per_100_words(texts: list[str]) -> float:
    """Sentence ends per 100 words over `texts` (not "Node.js" or "3.5": a mark before a space)."""
    from jargonaut.asr.decoder.fused import sentence_ends

    words = sum(len(t.split()) for t in texts)
    return 100 * sum(sentence_ends(t) for t in texts) / words if words else 0.0


def lower_case_i(text: str) -> int:
    """The pronoun written "i" ("i", "i'm")."""
    return len(_LONE_I.findall(text))


def lm_text_files(choice: str | None) -> list[Path]:
    """The CLM text of the medical sets: all of medical/lm-text, or `--lm-text`'s choice."""
    if choice == "aci":
        return [EVAL / "medical" / "lm-text" / "aci-bench-dialogues.txt"]
    if choice == "primock":
        return [EVAL / "medical" / "lm-text" / "primock57-consultations.txt"]
    if choice == "biomed":
        return [EVAL / "biomed-tts" / "train.txt"]
    if choice == "devops":
        return [Path(__file__).resolve().parent / "domains" / "devops" / "train.txt"]
    return [Path(p) for p in sorted(glob.glob(str(EVAL / "medical" / "lm-text" / "*.txt")))]


def run_set(name, items, lm, hotwords, systems, terms, max_seconds, base="WideBand", progress=True, save=None,
            overrides=()):
    from jargonaut.evaluate.metrics import reference_prefix
    from jargonaut.evaluate.run import evaluate, make_transcriber
    from jargonaut.evaluate.significance import compare

    results = {}
    if max_seconds and "plain" in systems:
        # Cut each long reference once (from the plain hypothesis) for all systems.
        plain = evaluate(items, make_transcriber(engine(), base), None, max_seconds, progress)
        cuts = {f.id: reference_prefix(i.reference, f.hypothesis) for i, f in zip(items, plain.report.files)}
        items = [replace(i, reference=cuts[i.id]) for i in items]
        from jargonaut.evaluate.metrics import score_files
        from jargonaut.evaluate.run import Run

        pairs = [(i.id, i.reference, f.text) for i, f in zip(items, plain.report.files)]
        results["plain"] = Run(score_files(pairs, terms), plain.audio_seconds, plain.compute_seconds)
    print(f"\n## {name}: {len(items)} recordings" + (f", first {max_seconds:g} s of each" if max_seconds else ""))
    print("| system | words | errors | WER % | rel. vs plain | term recall | lc starts | lc i | ends /100 w "
          "| fillers | repeats | RTF |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|", flush=True)

    def row(system: str, run) -> None:
        base_wer = results["plain"].report.wer if "plain" in results else None
        rel = f"{100 * (base_wer - run.report.wer) / base_wer:+.1f}%" if base_wer else "-"
        if base_wer and system != "plain":  # the 95% interval of the reduction, recordings resampled
            paired = compare(results["plain"].report.files, run.report.files)
            if paired.low is not None and paired.high is not None:
                rel += f" [{100 * paired.low:+.1f}, {100 * paired.high:+.1f}]"
        recall = run.report.term_recall
        fillers, repeats = (sum(n) for n in zip(*(fillers_and_repeats(f.text) for f in run.report.files)))
        print(
            f"| {system} | {run.report.words} | {run.report.errors} | {100 * run.report.wer:.2f} | {rel} | "
            f"{'-' if recall is None else f'{100 * recall:.1f}%'} | "
            f"{sum(lower_case_starts(f.text) for f in run.report.files)} | "
            f"{sum(lower_case_i(f.text) for f in run.report.files)} | "
            f"{sentence_ends_per_100_words([f.text for f in run.report.files]):.1f} | {fillers} | {repeats} | "
            f"{run.rtf:.3f} |",
            flush=True,
        )

    if "plain" in results:
        row("plain", results["plain"])
    for system in systems:
        if system in results:
            continue
        if system == "plain":
            t = make_transcriber(engine(), base)
        elif system == "fused":  # the engine's settings for `base`, with any --setting applied
            fusion = with_overrides(engine().options.fusion_for(engine().base_models[base]), list(overrides))
            t = make_transcriber(engine(), base, lm, settings=fusion)
        elif system.startswith("fused:"):  # ALPHA:BETA of the unit in use (token unless :word); fused:ALPHA:BETA[:K][:pN][:eW][:mN][:fX][:word][:nolook][:noret][:nocond][:cn][:anyterm][:best1][:tN][:sN][:iW][:gL] (tuning grids)
            parts = system.split(":")[1:]
            settings = replace(engine().options.fusion_for(engine().base_models[base]), unit="word" if "word" in parts else "token")
            if settings.unit == "word":
                settings = replace(settings, alpha=float(parts[0]), beta=float(parts[1]))
            else:
                settings = replace(settings.with_token_alpha(float(parts[0])), token_beta=float(parts[1]))
            if "nolook" in parts:
                settings = replace(settings, lookahead=False)
            for part in parts[2:]:
                if part.isdigit():
                    settings = replace(settings, candidates_per_beam=int(part))
                elif part.startswith("f"):  # fG: do-no-harm gate, least gain over general English (nats per word)
                    settings = replace(settings, min_domain_gain=None if part == "foff" else float(part[1:]))
                elif part.startswith("m"):  # mN: end margin (search.acoustic_end), moff: none
                    settings = replace(settings, end_margin=None if part == "moff" else float(part[1:]))
                elif part.startswith("e"):  # eW: end-of-window CLM weight
                    settings = replace(settings, end_weight=float(part[1:]))
                elif part == "anyterm":  # accept pass 2 even when it adds no retrieved term
                    settings = replace(settings, biasing=replace(settings.biasing, require_new_term=False))
                elif part == "best1":  # retrieve from the best hypothesis only
                    settings = replace(settings, biasing=replace(settings.biasing, nbest_draft=False))
                elif part == "nocond":  # no previous-window text in the prompt
                    settings = replace(settings, condition_on_previous_text=False)
                elif part == "cn":  # case-neutral token fusion
                    settings = replace(settings, case_neutral=True)
                elif part == "noret":  # no two-pass term retrieval
                    settings = replace(settings, retrieval=False)
                elif part.startswith("t") and part[1:].isdigit():  # tN: terms per window prompt
                    settings = replace(settings, biasing=replace(settings.biasing, max_terms=int(part[1:])))
                elif part.startswith("i"):  # iW: internal-LM weight (density-ratio fusion)
                    settings = replace(settings, internal_lm_weight=float(part[1:]))
                elif part.startswith("g"):  # gL: pass 2 only below this pass-1 mean log-prob
                    settings = replace(settings, biasing=replace(settings.biasing, max_draft_logprob=float(part[1:])))
                elif part.startswith("s") and part[1:].isdigit():  # sN: minimum similarity
                    settings = replace(settings, biasing=replace(settings.biasing, min_similarity=float(part[1:])))
            t = make_transcriber(engine(), base, lm, settings=settings)
        elif system == "hotwords":
            t = hotwords_transcriber(base, hotwords)
        elif system == "retrieved-hotwords":
            t = retrieved_hotwords(base, lm)
        else:
            raise SystemExit(f"unknown system {system}")
        results[system] = evaluate(items, t, terms, max_seconds, progress)
        row(system, results[system])
    if save is not None:  # every hypothesis, for reading errors later (dev sets only)
        save.mkdir(parents=True, exist_ok=True)
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        for system, run in results.items():
            (save / f"{slug}-{system.replace(':', '_')}.json").write_text(json.dumps(
                [[f.id, i.reference, f.text] for i, f in zip(items, run.report.files)], indent=1))
    return results


def retrieved_hotwords(base: str, lm, max_terms: int = 25):
    """The pre-project two-pass peer without our decoder: plain faster-whisper drafts the
    recording, the CLM's terms that fuzzily match the draft (our retriever, up to 25)
    become faster-whisper `hotwords`, and it decodes again."""
    from jargonaut.asr.decoder.biasing import BiasingSettings, TermRetriever

    options = engine().options.decode
    model = plain_whisper(base)
    retriever = TermRetriever(lm.terms, BiasingSettings(max_terms=max_terms))

    def text(audio, hotwords=None) -> str:
        segments, _ = model.transcribe(audio, language="en", beam_size=options.beam_size, hotwords=hotwords)
        return " ".join(s.text.strip() for s in segments if s.text.strip())

    def run(audio) -> str:
        draft = text(audio)
        terms = retriever.retrieve(draft)
        return text(audio, " ".join(terms)) if terms else draft

    return run


def synthetic_domain(name: str) -> Path:
    """Our own Piper-voiced domain set (bench/domains/NAME), synthesised on first use."""
    import subprocess
    import sys

    out = Path(__file__).resolve().parents[1] / ".bench-cache" / name
    # its summary line (JSON) stays out of the callers' tables
    subprocess.run([sys.executable, "-m", "bench.synth_domain", "--domain", name, "--out", str(out), "--quiet"],
                   check=True, stdout=subprocess.DEVNULL)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", default="biomed", choices=("biomed", "devops", "medical", "medical-dev", "general"))
    parser.add_argument(
        "--systems", default="plain,fused,hotwords", help="comma-separated: plain, fused, fused:ALPHA:BETA[:K][:pN][:eW][:mN][:fX][:word][:nolook][:noret][:nocond][:cn][:anyterm][:best1][:tN][:sN][:iW][:gL], hotwords, retrieved-hotwords"
    )
    parser.add_argument("--max-seconds", type=float, help="score only the first N s of each recording")
    parser.add_argument("--limit", type=int, help="only the first N recordings")
    parser.add_argument("--lm-text", choices=("aci", "primock", "biomed", "devops"),
                        help="medical sets: train the CLM on this text instead of all medical/lm-text")
    parser.add_argument("--alpha", type=float)
    parser.add_argument("--beta", type=float)
    parser.add_argument("--no-progress", action="store_true")
    parser.add_argument("--save", type=Path, help="write every system's hypotheses as JSON into this folder")
    parser.add_argument("--setting", dest="overrides", action="append", default=[], metavar="FIELD=VALUE",
                        help="the fused system's FusionSettings field (or biasing.FIELD), e.g. min_domain_gain=None")
    parser.add_argument("--telephone", action="store_true",
                        help="medical sets: 8 kHz telephone-band copies, NarrowBand model and CLM")
    args = parser.parse_args(argv)
    if args.telephone and args.set not in ("medical", "medical-dev"):
        parser.error("--telephone is for the medical sets (the others have their own 8 kHz copies)")

    import os

    if args.alpha is not None:
        os.environ["JARGONAUT_CLM_ALPHA"] = str(args.alpha)
    if args.beta is not None:
        os.environ["JARGONAUT_CLM_BETA"] = str(args.beta)
    from jargonaut.evaluate.manifests import read_manifest
    from jargonaut.evaluate.metrics import load_terms

    print(f"fusion settings: {engine().options.fusion_for(engine().base_models['WideBand'])}")
    systems = args.systems.split(",")
    progress = not args.no_progress
    with tempfile.TemporaryDirectory(prefix="clm-bench-") as tmp:
        work = Path(tmp)
        trained: dict[str, NgramLM] = {}
        if args.set in ("biomed", "devops"):
            root = EVAL / "biomed-tts" if args.set == "biomed" else synthetic_domain("devops")
            text = [root / "train.txt"]
            hot = hotwords_from(text)
            terms = load_terms(root / "domain_terms.txt")
            for folder, base in (("wav16", "WideBand"), ("wav8", "NarrowBand")):
                items = read_manifest(root / "test.tsv", folder)[: args.limit]
                run_set(f"{root.name} {folder}", items, lm_for(text, work, base, trained), hot, systems, terms, args.max_seconds, base, progress,
                        args.save, args.overrides)
            return
        text = lm_text_files(args.lm_text)
        base = "NarrowBand" if args.telephone else "WideBand"
        lm = lm_for(text, work, base, trained)
        if args.set == "general":
            items = read_manifest(EVAL / "general" / "manifest.tsv")[: args.limit]
            wide = [i for i in items if (i.sample_rate or 16000) >= 16000]
            narrow = [i for i in items if (i.sample_rate or 16000) < 16000]
            run_set("general (WideBand), medical CLM", wide, lm, "", [s for s in systems if "hotwords" not in s], None, None, "WideBand", progress, args.save, args.overrides)
            run_set("general 8 kHz (NarrowBand), medical CLM", narrow, lm_for(text, work, "NarrowBand", trained), "", [s for s in systems if "hotwords" not in s], None, None, "NarrowBand", progress, args.save, args.overrides)
            return
        all_items = read_manifest(EVAL / "medical")
        dev = args.set == "medical-dev"
        items = [i for i in all_items if (i.id in DEV_IDS) == dev][: args.limit]
        if args.telephone:
            items = telephone_copies(items, work)
        hot = hotwords_from(text) if "hotwords" in systems else ""
        name = f"{args.set} (8 kHz telephone band)" if args.telephone else args.set
        run_set(name, items, lm, hot, systems, None, args.max_seconds, base, progress, args.save, args.overrides)


def telephone_copies(items: list, work: Path) -> list:
    """`items` with their audio cut to the telephone band at 8 kHz (WAV files under `work`)."""
    from bench.synth_domain import NARROW_RATE, telephone, write_wav
    from jargonaut.asr.audio import decode

    copies = []
    for item in items:
        path = work / f"{item.id}-8k.wav"
        write_wav(path, telephone(decode(item.audio)), NARROW_RATE)
        copies.append(replace(item, audio=path, sample_rate=NARROW_RATE))
    return copies


if __name__ == "__main__":
    main()
