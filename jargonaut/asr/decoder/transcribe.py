"""Long-form recognition with CLM fusion: faster-whisper's segmentation, our search.

faster-whisper already implements whisper's long-form loop (30 s windows, timestamp
tokens, seeking, previous-text conditioning, temperature fallback, no-speech skipping)
and word timings by cross-attention alignment (`ctranslate2.models.Whisper.align`). We
reuse that loop unchanged and swap only its decoding call: `FusedWhisper.generate` runs
our beam search with the CLM (decoder steps in ONNX Runtime, or NumPy as the reference),
while `encode`/`align` stay in CTranslate2.
"""
from __future__ import annotations

import copy
import os
import threading
import weakref
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable

import numpy as np
from threadpoolctl import threadpool_limits

from jargonaut.asr.base_models import BaseModel
from jargonaut.asr.decoder.biasing import BiasingSettings, TermRetriever, accept_second_pass, glossary
from jargonaut.asr.decoder.model import StepDecoder, WhisperDecoder
from jargonaut.asr.decoder.onnx_step import OrtWhisperDecoder
from jargonaut.asr.decoder.phrase_boost import DEFAULT_WEIGHT, PhraseBoost, build_trie
from jargonaut.asr.decoder.token_fusion import TokenFusion
from jargonaut.asr.decoder.internal_lm import InternalLM
from jargonaut.asr.decoder.search import (
    SuppressBlank,
    SuppressTokens,
    TimestampRules,
    Vocab,
    WordFusion,
    beam_search,
)
from jargonaut.asr.decoder.weights import load_weights
from jargonaut.asr.types import Recognition


@dataclass(frozen=True)
class FusionSettings:
    """Shallow-fusion settings, tuned only on the medical dev split (CAR0001, GAS0001,
    MSK0001, first 120 s each; `python -m bench.clm_wer --set medical-dev`).

    Dev WER (plain 12.71%): alpha/beta 0.3/1 9.04%, 0.3/0.5 9.65%, 0.2/1 12.56%,
    0.5/1 11.18%, 0.5/2 13.94%, 0.3/1.5 12.86%, 1/3 19.14%; without lookahead 15.93%;
    with the CLM hotword prompt (prompt_tokens=200) 43.64% (hallucination), so it is off;
    top-20 candidates per beam and an end-of-window CLM term (end_weight 0.3 or 1): 9.04%,
    no change, so the cheaper/simpler settings stay.

    Two-pass term retrieval (biasing.py), same dev split: 9.19% with the guard requiring
    pass 2 to spell a retrieved term pass 1 lacked; 16.69% when any sane pass 2 is kept
    (conversational windows get re-worded), so the guard stays on. Dev speech has few
    rare terms, so retrieval changes it little; it is what carries the synthetic sets.

    Caveat measured with the int8 ONNX Runtime decoder: dev WER with these defaults moves
    between 9.3% and 12.4% under float-rounding-sized changes (same math, different summation
    order), and without previous-text conditioning fusion gives only 12.56% (plain 12.71%).
    The dev gain is mostly how the fused output conditions later windows, not robust.

    Word vs token unit (the issue's open question), int8 decoder, without retrieval:
    word level 0.3/1 12.40%; token level (BPE 5-gram of the same text) at beta 0:
    alpha 0.15 10.26%, 0.2 10.41%, 0.25 9.95%, 0.3 10.41%; beta 0.25 costs (0.15 10.57%,
    0.2 12.71%, 0.25 12.86%), beta -0.25 10.57%, 0.3/0.5 16.08%. A flat band at beta 0, so
    token level is the default at 0.25/0 (9.95%; 10.11% with retrieval). Checked afterwards,
    not tuned on: biomed 16 kHz without retrieval 38.98% word vs 31.30% token (plain 44.29%),
    8 kHz 44.09% vs 42.72%. Token level needs no lookahead and keeps Whisper's casing and
    punctuation in the model (it is estimated on the text as written).

    Density-ratio fusion (internal_lm.py), dev split as whole recordings (3,076 words;
    plain faster-whisper 15.18%): token fusion 0.25 without the internal LM 13.04%;
    alpha/ILM weight 0.25/0.1 13.56%, 0.3/0.2 11.12%, 0.4/0.3 worse on CAR0001+GAS0001
    (302 errors vs 219). Default 0.3/0.2. Its gain on dev is mostly fewer dropped words
    (deletions 125 -> 110), not spelling: "OK" (the clinic's) vs Whisper's "Okay" stays
    ~20% of the errors either way.
    """

    alpha: float = 0.3  # word-level fusion (CLMs without a token model)
    beta: float = 1.0
    # Token-level fusion over the CLM's BPE-token model (lm/bpe.py), the default unit.
    unit: str = "token"  # "token" or "word"
    token_alpha: float = 0.3
    token_beta: float = 0.0
    history_words: int = 4  # CLM context carried over from the previous window
    lookahead: bool = True  # score unfinished words by their best CLM completion
    # faster-whisper re-decodes a window by sampling (without the CLM) when its average
    # acoustic log-probability is below this (judging by the fused score measured worse).
    log_prob_threshold: float | None = -1.0
    candidates_per_beam: int = 10  # acoustic top-k per beam that the CLM may re-rank (20: same)
    # Contextual biasing: a faster-whisper "hotwords" prompt of the CLM's likeliest words
    # that Whisper finds rare (3+ BPE pieces), at most this many tokens (0 = off: it blew up).
    prompt_tokens: int = 0
    # Two-pass biasing with the CLM's domain terms retrieved per window (biasing.py).
    retrieval: bool = True
    biasing: BiasingSettings = BiasingSettings()
    end_weight: float = 0.0  # weight of ln P_clm(</s>) added when a window ends (EOT); 0 = off
    # faster-whisper's previous-window text prompt (its default is on).
    condition_on_previous_text: bool = True
    # Density-ratio fusion: weight of Whisper's internal LM subtracted per text token
    # (internal_lm.py); 0 = plain shallow fusion.
    internal_lm_weight: float = 0.2

    def prompt_terms_enabled(self) -> bool:
        return self.prompt_tokens > 0


def default_fusion() -> FusionSettings:
    base = FusionSettings()
    return FusionSettings(
        alpha=float(os.environ.get("JARGONAUT_CLM_ALPHA", base.alpha)),
        beta=float(os.environ.get("JARGONAUT_CLM_BETA", base.beta)),
        unit=os.environ.get("JARGONAUT_CLM_UNIT", base.unit),
        token_alpha=float(os.environ.get("JARGONAUT_CLM_TOKEN_ALPHA", base.token_alpha)),
        token_beta=float(os.environ.get("JARGONAUT_CLM_TOKEN_BETA", base.token_beta)),
        internal_lm_weight=float(os.environ.get("JARGONAUT_CLM_ILM_WEIGHT", base.internal_lm_weight)),
    )


def _normaliser() -> Callable[[str], list[str]]:
    try:
        from jargonaut.lm.normalise import normalise_words

        return normalise_words
    except ImportError:  # the CLM library not installed yet: a plain fallback
        import re

        return lambda text: re.findall(r"[a-z0-9']+", text.lower())


@dataclass
class _Result:
    """Shaped like ctranslate2's WhisperGenerationResult for faster-whisper."""

    sequences_ids: list[list[int]]
    scores: list[float]
    no_speech_prob: float


class FusedWhisper:
    """Stands in for `ctranslate2.models.Whisper`: our `generate`, everything else delegated."""

    def __init__(
        self, ct2, decoder: StepDecoder, vocab: Vocab, fusion: WordFusion | TokenFusion | None,
        history_words: int = 4, candidates: int | None = None, internal_lm_weight: float = 0.0,
    ):
        self._ct2, self._decoder, self._vocab = ct2, decoder, vocab
        self._fusion, self._history_words, self._candidates = fusion, history_words, candidates
        self._internal_lm_weight = internal_lm_weight if fusion is not None else 0.0
        self._skip_prefix: list[int] = []
        self._retriever: TermRetriever | None = None  # set for two-pass contextual biasing
        self._biasing = BiasingSettings()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ct2, name)

    def generate(self, encoder_output, prompts, **kw) -> list[_Result]:
        if kw.get("sampling_temperature", 1.0) != 1.0 or kw.get("num_hypotheses", 1) > 1:
            # Temperature fallback samples; that stays CTranslate2's (rare, no CLM).
            return self._ct2.generate(encoder_output, prompts, **kw)
        enc = np.array(encoder_output)
        cross = self._decoder.cross_kv(enc[0])
        prompt = list(prompts[0])
        vocab = self._vocab
        timestamps = 50362 not in prompt and vocab.timestamp_begin - 1 not in prompt
        filters = [SuppressTokens(kw.get("suppress_tokens") or [])]
        if kw.get("suppress_blank", True):
            filters.append(SuppressBlank(vocab))
        if timestamps:
            filters.append(TimestampRules(vocab, kw.get("max_initial_timestamp_index", 50)))
        else:
            filters.append(SuppressTokens(range(vocab.timestamp_begin, self._decoder.embedding.shape[0])))
        state = None
        if self._fusion is not None:
            previous = [t for t in prompt if t < vocab.eot]
            skip = self._skip_prefix
            if skip and previous[: len(skip)] == skip:
                previous = previous[len(skip) :]  # the biasing prompt is not history
            state = self._fusion.history_state(vocab.decode(previous), self._history_words)
        with threadpool_limits(limits=_blas_threads(), user_api="blas"):
            result = self._search(cross, prompt, filters, state, kw)
            if self._retriever is not None:
                result = self._second_pass(cross, prompt, filters, state, kw, result)
        n = max(len(result.tokens), 1)
        # faster-whisper derives avg_logprob from this score and falls back to sampling
        # (without the CLM) below its threshold. Keep it acoustic-only: judging windows by
        # the fused score instead was measured worse (biomed 20 clips: 45.2% vs 34.5% WER).
        score = result.acoustic / n ** kw.get("length_penalty", 1.0)
        return [_Result([result.tokens], [score], result.no_speech_prob)]

    def _second_pass(self, cross, prompt, filters, state, kw, first):
        """Decode again with the domain terms the first pass seems to contain as a prompt."""
        vocab = self._vocab
        confident = self._biasing.max_draft_logprob
        if confident is not None and first.mean_logprob >= confident:
            return first
        draft = self._text(first.tokens)
        heard = draft
        if self._biasing.nbest_draft:  # the beam's other endings spell rare words differently
            heard = " ".join([draft] + [self._text(alt) for alt in first.alternatives])
        terms = self._retriever.retrieve(heard, exclude=draft)
        if not terms or vocab.sot not in prompt:
            return first
        glossary_ids = vocab.encode(glossary(terms))
        start = prompt.index(vocab.sot)
        head = prompt[:start]
        previous = head[1:] if head and head[0] == vocab.sot_prev else []
        room = kw.get("max_length", 448) // 2 - 1 - len(glossary_ids)  # faster-whisper's prompt budget
        second_prompt = [vocab.sot_prev, *glossary_ids, *(previous[-room:] if room > 0 else []), *prompt[start:]]
        second = self._search(cross, second_prompt, filters, state, kw)
        accepted = accept_second_pass(draft, self._text(second.tokens), first.mean_logprob, second.mean_logprob,
                                      self._biasing, terms)
        return second if accepted else first

    def _text(self, tokens: list[int]) -> str:
        """The words of a decoded sequence (timestamps and specials dropped)."""
        return self._vocab.decode([t for t in tokens if t < self._vocab.eot])

    def _search(self, cross, prompt, filters, state, kw):
        return beam_search(
            self._decoder,
            cross,
            prompt,
            self._vocab,
            filters,
            beam_size=kw.get("beam_size", 5),
            patience=kw.get("patience", 1.0),
            length_penalty=kw.get("length_penalty", 1.0),
            max_length=kw.get("max_length", 448),
            fusion=self._fusion,
            lm_state=state,
            n_candidates=self._candidates if self._fusion is not None else None,
            internal_lm=InternalLM(self._internal_lm_weight, self._vocab.eot) if self._internal_lm_weight else None,
        )


def _blas_threads() -> int:
    # NumPy decoder: small per-step matmuls; one BLAS thread is steadier than two on a busy
    # 2-core box (measured: 2 threads under load made a beam step 5-10x slower).
    return int(os.environ.get("JARGONAUT_BLAS_THREADS", "1"))


def decoder_backend() -> str:
    """`onnxruntime` (default: one graph per step, ~5x faster) or `numpy` (the reference)."""
    return os.environ.get("JARGONAUT_DECODER_BACKEND", "onnxruntime")


def make_decoder(weights: dict[str, np.ndarray], compute_type: str, cpu_threads: int = 0) -> StepDecoder:
    """Our decoder at the precision CTranslate2 uses for the plain path (int8* → int8 weights),
    with as many threads as CTranslate2 is given (0: the default, e.g. 1 per stream decode)."""
    if decoder_backend() == "numpy":
        return WhisperDecoder(weights)
    precision = "int8" if compute_type.startswith("int8") else "float32"
    return OrtWhisperDecoder(weights, precision, threads=cpu_threads or _decoder_threads())


def _decoder_threads() -> int:
    # ONNX Runtime without spinning: two threads cut a beam step ~30% on 2 cores (the plain
    # path's CTranslate2 uses every core too).
    return int(os.environ.get("JARGONAUT_DECODER_THREADS", str(min(2, os.cpu_count() or 1))))


_lock = threading.Lock()


@lru_cache(maxsize=2)
def _components(model_dir: str, compute_type: str, cpu_threads: int):
    from faster_whisper.tokenizer import Tokenizer

    from jargonaut.asr.recognizer import _whisper  # share the plain path's loaded model

    whisper = _whisper(model_dir, compute_type, cpu_threads)
    decoder = make_decoder(load_weights(model_dir), compute_type, cpu_threads)
    tok = Tokenizer(whisper.hf_tokenizer, whisper.model.is_multilingual, task="transcribe", language="en")
    n_vocab = decoder.embedding.shape[0]
    space = np.zeros(n_vocab, bool)
    for i in range(min(n_vocab, whisper.hf_tokenizer.get_vocab_size())):
        piece = whisper.hf_tokenizer.id_to_token(i)
        space[i] = bool(piece) and piece.startswith("Ġ")

    @lru_cache(maxsize=100_000)
    def _decode(ids: tuple[int, ...]) -> str:
        return tok.decode(list(ids))

    vocab = Vocab(
        eot=tok.eot,
        sot=tok.sot,
        timestamp_begin=tok.timestamp_begin,
        no_speech=tok.no_speech,
        space_start=space,
        decode=lambda ids: _decode(tuple(ids)),
        sot_prev=tok.sot_prev,
        encode=lambda text: whisper.hf_tokenizer.encode(text, add_special_tokens=False).ids,
    )
    return whisper, decoder, vocab


_PROMPTS: "weakref.WeakKeyDictionary[object, dict[int, str]]" = weakref.WeakKeyDictionary()


def clm_hotwords(language_model, tokenizer, max_tokens: int) -> str:
    """The CLM's most probable words that Whisper splits into 3+ pieces, as a prompt."""
    try:
        cached = _PROMPTS.setdefault(language_model, {})
    except TypeError:
        cached = {}
    if max_tokens in cached:
        return cached[max_tokens]
    words = [w for w in getattr(language_model, "words", []) if w and w.isalpha()]
    empty = () if hasattr(language_model, "score_id") else language_model.begin_state()
    ranked = sorted(words, key=lambda w: -language_model.score(empty, w)[0])
    chosen, used = [], 0
    for word in ranked:
        n = len(tokenizer.encode(" " + word, add_special_tokens=False).ids)
        if n >= 3 and used + n <= max_tokens:
            chosen.append(word)
            used += n
    cached[max_tokens] = " ".join(chosen)
    return cached[max_tokens]


_RETRIEVERS: "weakref.WeakKeyDictionary[object, dict[BiasingSettings, TermRetriever]]" = weakref.WeakKeyDictionary()


def _retriever(language_model, settings: BiasingSettings) -> TermRetriever:
    """One retriever per CLM and settings (building it squashes every term)."""
    per_lm = _RETRIEVERS.setdefault(language_model, {})
    if settings not in per_lm:
        per_lm[settings] = TermRetriever(language_model.terms, settings)
    return per_lm[settings]


def fused_whisper(base: BaseModel, options, language_model, settings: FusionSettings | None = None,
                  phrases: list[list[str]] | None = None, boost: float = DEFAULT_WEIGHT, phrase_prompt: int = 0):
    """A faster-whisper `WhisperModel` whose decoding runs our fused beam search: the CLM's
    scorer (if any), and a custom vocabulary's `phrases` (each a list of words) boosted on top
    (`phrase_prompt` > 0: also given to Whisper as a prompt of up to that many tokens)."""
    settings = settings or default_fusion()
    with _lock:
        whisper, decoder, vocab = _components(base.model, options.compute_type, options.cpu_threads)
    fusion = None
    token_model = getattr(language_model, "token_model", None) if settings.unit == "token" else None
    if token_model is not None and (settings.token_alpha or settings.token_beta):
        fusion = TokenFusion(token_model, settings.token_alpha, settings.token_beta, vocab.encode, vocab.eot)
    elif token_model is None and language_model is not None and (settings.alpha or settings.beta):
        fusion = WordFusion(language_model, settings.alpha, settings.beta, _normaliser(), settings.lookahead)
    if fusion is not None:
        fusion.end_weight = settings.end_weight
    clm_fusion = fusion
    if phrases:
        assert vocab.encode is not None
        fusion = PhraseBoost(fusion, build_trie(phrases, vocab.encode), boost)
    clone = copy.copy(whisper)  # shares weights; only `.model` differs per call
    clone.model = FusedWhisper(
        whisper.model, decoder, vocab, fusion, settings.history_words, settings.candidates_per_beam,
        settings.internal_lm_weight if clm_fusion is not None else 0.0,
    )
    clone.clm_prompt = None
    terms = getattr(language_model, "terms", None)
    if settings.retrieval and terms:
        clone.model._retriever = _retriever(language_model, settings.biasing)
        clone.model._biasing = settings.biasing
    if clm_fusion is not None and settings.prompt_terms_enabled():
        clone.clm_prompt = clm_hotwords(language_model, whisper.hf_tokenizer, settings.prompt_tokens) or None
        if clone.clm_prompt:
            clone.model._skip_prefix = whisper.hf_tokenizer.encode(" " + clone.clm_prompt, add_special_tokens=False).ids
    if phrases and phrase_prompt and clone.clm_prompt is None:
        chosen, used = [], 0
        for words in phrases:
            n = len(whisper.hf_tokenizer.encode(" " + " ".join(words), add_special_tokens=False).ids)
            if used + n > phrase_prompt:
                break
            chosen.append(" ".join(words))
            used += n
        clone.clm_prompt = " ".join(chosen) or None
        if clone.clm_prompt:
            clone.model._skip_prefix = whisper.hf_tokenizer.encode(" " + clone.clm_prompt, add_special_tokens=False).ids
    return clone


def recognize_fused(
    audio: np.ndarray,
    base: BaseModel,
    options,
    language_model,
    settings: FusionSettings | None = None,
    word_timestamps: bool = True,
    max_new_tokens: int | None = None,
    phrases: list[list[str]] | None = None,
    boost: float = DEFAULT_WEIGHT,
    phrase_prompt: int = 0,
) -> Recognition:
    """Transcribe 16 kHz mono float32 `audio` with the CLM (and/or a vocabulary's `phrases`)
    fused into beam search (`max_new_tokens` caps each window, so a looping hypothesis stops early)."""
    settings = settings or default_fusion()
    model = fused_whisper(base, options, language_model, settings, phrases, boost, phrase_prompt)
    segments, info = model.transcribe(
        audio,
        language="en",
        beam_size=options.beam_size,
        word_timestamps=word_timestamps,
        log_prob_threshold=settings.log_prob_threshold,
        condition_on_previous_text=settings.condition_on_previous_text,
        hotwords=model.clm_prompt,
        max_new_tokens=max_new_tokens,
    )
    from jargonaut.asr.recognizer import recognition_from
    from jargonaut.asr.respelling import respell_recognition

    return respell_recognition(recognition_from(segments, info), getattr(language_model, "spellings", None))
