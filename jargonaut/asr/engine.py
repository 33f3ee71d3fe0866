"""The one object that recognises speech: batch jobs, streams, `jargonaut transcribe` and
`jargonaut eval` all call a `SpeechEngine`.

It owns the loaded base models (one cache, one lock), our fused decoder's parts per base
model, the choice of fused scorers for a CLM, word timings and respelling. The plain path
is faster-whisper (CTranslate2) as it is; a CLM switches the decoding call to our fused
beam search (`jargonaut.asr.decoder`), with faster-whisper's long-form loop around it.
The services build one engine from `Settings` and hand it to the workers that need it.
"""
from __future__ import annotations

import dataclasses
import threading
import weakref
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Iterable, Mapping

import numpy as np

from jargonaut.asr.base_models import BaseModel, configured_base_models, whisper_language
from jargonaut.asr.decoder.biasing import BiasingSettings, TermRetriever
from jargonaut.asr.decoder.fused import FusedGenerator
from jargonaut.asr.decoder.fusion import Fusion
from jargonaut.asr.decoder.gate import domain_gate
from jargonaut.asr.decoder.hypothesis import Vocab
from jargonaut.asr.decoder.internal_lm import DensityRatio
from jargonaut.asr.decoder.model import StepDecoder, WhisperDecoder
from jargonaut.asr.decoder.onnx_step import OrtWhisperDecoder
from jargonaut.asr.decoder.phrase_boost import DEFAULT_WEIGHT, PhraseBoost, build_trie
from jargonaut.asr.decoder.restarts import Restarts
from jargonaut.asr.decoder.search import WordFusion
from jargonaut.asr.decoder.sentence_case import SentenceCase
from jargonaut.asr.decoder.sentence_ends import SentenceEnds
from jargonaut.asr.decoder.skipped_speech import SkipCheck
from jargonaut.asr.decoder.surface_forms import Forms, digits, number_forms, surface_forms
from jargonaut.asr.decoder.term_context import TermContext
from jargonaut.asr.decoder.token_fusion import TokenFusion
from jargonaut.asr.decoder.weights import load_weights
from jargonaut.asr.lead_in import (
    WINDOW,
    lead_frames,
    lead_samples,
    with_lead_in,
    without_lead_in,
    words_without_lead_in,
)
from jargonaut.asr.opening_capital import open_recognition, open_words
from jargonaut.asr.options import DecodeOptions, EngineOptions, FusionSettings
from jargonaut.asr.respelling import near_misses, respell_with, respell_words
from jargonaut.asr.transcript_casing import recase_recognition, recased_words
from jargonaut.asr.types import Recognition, Segment, Word
from jargonaut.asr.whisper import FULL_FRAMES, EngineWhisper, repeats_itself
from jargonaut.lm.bpe import tokenizer_fingerprint
from jargonaut.lm.general import token_logprobs
from jargonaut.lm.model import NgramLM
from jargonaut.lm.normalise import normalise_words
from jargonaut.lm.text_style import FILLERS
from jargonaut.settings import Settings

RATE = 16000


@dataclass(frozen=True)
class DecoderParts:
    """Our decoder over one loaded base model: CTranslate2 (encoder, alignment, sampling
    fallback), the step decoder the fused search runs, and the vocabulary facts it needs."""

    whisper: EngineWhisper
    decoder: StepDecoder
    vocab: Vocab
    tokenizer: str  # tokenizer_fingerprint of the base model
    case_variant: Callable[[int], int | None]  # for case-neutral token fusion (cached per model)
    fillers: frozenset[int] = frozenset()  # single tokens of hesitations ("Um", " uh"): the CLM stays out
    restarts: Restarts | None = None  # finds repeats after a comma, which the CLM leaves to Whisper too
    number_forms: Mapping[int, tuple[int, ...]] = field(default_factory=dict)  # " 10" -> " ten", " Ten"
    number_digits: np.ndarray | None = None  # what the internal LM's text rows read (surface_forms.digits)


class SpeechEngine:
    def __init__(self, options: EngineOptions, base_models: dict[str, BaseModel]):
        self.options = options
        self.base_models = base_models
        if options.device == "cuda":
            import ctranslate2

            if ctranslate2.get_cuda_device_count() == 0:
                raise RuntimeError("device=cuda, but CTranslate2 sees no CUDA device (set JARGONAUT_DEVICE=cpu)")
            if options.decoder_backend == "numpy":
                raise RuntimeError("the numpy decoder backend runs on the CPU only; use onnxruntime with device=cuda")
        self._lock = threading.Lock()  # guards both caches (loading included)
        self._whispers: dict[tuple[str, str, int, int], EngineWhisper] = {}
        self._parts: dict[tuple[str, str, int], DecoderParts] = {}
        self._general: dict[str, np.ndarray | None] = {}  # tokenizer -> general English per token
        self._retrievers: weakref.WeakKeyDictionary[NgramLM, dict[BiasingSettings, TermRetriever]] = (
            weakref.WeakKeyDictionary())

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> "SpeechEngine":
        settings = settings or Settings.load()
        return cls(EngineOptions.from_settings(settings), configured_base_models(settings))

    # -- loaded models ------------------------------------------------------------------
    def whisper(self, model_dir: str, compute_type: str, cpu_threads: int, workers: int = 1) -> EngineWhisper:
        """The loaded base model (`workers` replicas decode in parallel threads). The only
        place a WhisperModel is built."""
        key = (model_dir, compute_type, cpu_threads, workers)
        with self._lock:
            model = self._whispers.get(key)
            if model is None:
                model = self._whispers[key] = EngineWhisper(
                    model_dir, device=self.options.device, compute_type=compute_type, cpu_threads=cpu_threads,
                    num_workers=workers)
            return model

    def batch_model(self, base: BaseModel) -> EngineWhisper:
        """The plain model batch jobs decode with (for what reads the model directly, e.g. the
        n-best alternatives)."""
        decode = self.options.decode
        return self.whisper(base.model, decode.compute_type, decode.cpu_threads)

    def parts(self, model_dir: str, compute_type: str, cpu_threads: int) -> DecoderParts:
        whisper = self.whisper(model_dir, compute_type, cpu_threads)
        key = (model_dir, compute_type, cpu_threads)
        with self._lock:
            parts = self._parts.get(key)
            if parts is None:
                decoder = self._make_decoder(load_weights(model_dir), compute_type, cpu_threads)
                vocab = _vocab(whisper, decoder)
                case_variant, fillers = _case_variants(vocab), _filler_tokens(vocab)
                numbers = number_forms(vocab.encode) if vocab.encode else {}
                parts = self._parts[key] = DecoderParts(whisper, decoder, vocab, tokenizer_fingerprint(model_dir),
                                                        case_variant, fillers, _restarts(vocab, fillers, case_variant),
                                                        numbers, digits(numbers, vocab.decode, len(decoder.embedding)))
            return parts

    def _make_decoder(self, weights: dict[str, np.ndarray], compute_type: str, cpu_threads: int) -> StepDecoder:
        """Our decoder at the precision CTranslate2 uses for the plain path (int8* -> int8
        weights), with as many threads as CTranslate2 is given (0: the engine's default)."""
        if self.options.decoder_backend == "numpy":
            return WhisperDecoder(weights)
        precision = "int8" if compute_type.startswith("int8") else "float32"
        return OrtWhisperDecoder(weights, precision, threads=cpu_threads or self.options.decoder_threads,
                                 device=self.options.device)

    # -- recognition ----------------------------------------------------------------------
    def recognize(
        self,
        audio: np.ndarray,
        base: BaseModel,
        language_model: NgramLM | None = None,
        *,
        language: str = "en",
        decode: DecodeOptions | None = None,
        fusion: FusionSettings | None = None,
        word_timestamps: bool = True,
        max_new_tokens: int | None = None,
        encoder_frames: int | None = None,
        workers: int = 1,
        phrases: list[list[str]] | None = None,
        boost: float = DEFAULT_WEIGHT,
    ) -> Recognition:
        """Transcribe 16 kHz mono float32 `audio` in full (long-form; word timings unless
        `word_timestamps` is off). `language` is Whisper's code (the multilingual base model
        is forced to it); `max_new_tokens` caps each window, so a looping hypothesis stops
        early; `encoder_frames` shortens the encoder window (short stream utterances); a custom
        vocabulary's `phrases` (each a list of words) are boosted by `boost` per token. The
        text opens with a capital (opening_capital.py)."""
        decode = decode or self.options.decode
        fusion = fusion or self.options.fusion_for(base)
        kw: dict[str, Any] = {}
        if language_model is not None or phrases:
            kw = dict(log_prob_threshold=fusion.log_prob_threshold,
                      condition_on_previous_text=fusion.condition_on_previous_text)

        lead = lead_samples(audio, self.options.lead_in_s)
        heard = with_lead_in(audio, lead)
        if len(heard) > WINDOW and not fusion.long_form:  # more than one Whisper window
            fusion = dataclasses.replace(fusion, long_form=True)  # FusionSettings.long_form_weight

        def run(frames: int | None) -> Recognition:
            model = self._model(base, language_model, decode, fusion, lead_frames(frames, lead, FULL_FRAMES), workers,
                                phrases, boost)
            segments, info = model.transcribe(heard, language=language, beam_size=decode.beam_size,
                                              word_timestamps=word_timestamps, max_new_tokens=max_new_tokens, **kw)
            return without_lead_in(recognition_from(segments, info), lead)

        recognition = run(encoder_frames)
        if _short_window(encoder_frames) and repeats_itself(recognition.text):
            recognition = run(None)  # a short window's loop (see whisper.py): the full window does not loop
        if language_model is not None:
            recognition = recase_recognition(respell_with(recognition, language_model), language_model.lower_case)
        return open_recognition(recognition)

    def detect_language(self, audio: np.ndarray, base: BaseModel, candidates: Iterable[str]) -> tuple[str, float]:
        """The Transcribe LanguageCode among `candidates` spoken in the first 30 s of 16 kHz mono
        `audio`, and its probability among the candidates' languages (0-1). Whisper names a
        language, not a dialect: the first candidate of each language stands for it."""
        by_language: dict[str, str] = {}
        for code in candidates:
            by_language.setdefault(whisper_language(code), code)
        whisper = self.batch_model(base)
        if not whisper.model.is_multilingual:
            raise ValueError(f"the {base.name} base model is English-only: it cannot identify languages")
        _, _, probabilities = whisper.detect_language(audio[: 30 * RATE], language_detection_segments=1)
        among = {language: p for language, p in probabilities if language in by_language}
        total = sum(among.values())
        if not among or total <= 0:
            first = next(iter(by_language))
            return by_language[first], 1.0 / len(by_language)
        language = max(among, key=lambda name: among[name])
        return by_language[language], among[language] / total

    def text(self, audio: np.ndarray, base: BaseModel, language_model: NgramLM | None = None, *, language: str = "en",
             fusion: FusionSettings | None = None, phrases: list[list[str]] | None = None,
             boost: float = DEFAULT_WEIGHT) -> str:
        """A whole recording's text (no word timings: WER does not use them)."""
        return self.recognize(audio, base, language_model, language=language, fusion=fusion,
                              word_timestamps=False, phrases=phrases, boost=boost).text

    def quick_words(self, audio: np.ndarray, base: BaseModel, language_model: NgramLM | None = None, *, language: str = "en",
                    decode: DecodeOptions | None = None, fusion: FusionSettings | None = None,
                    max_new_tokens: int | None = None, encoder_frames: int | None = None,
                    workers: int = 1, phrases: list[list[str]] | None = None,
                    boost: float = DEFAULT_WEIGHT) -> list[Word]:
        """A cheap hypothesis (stream partials): no timestamps, no word alignment; each
        word's time spread over its segment by length."""
        decode = decode or self.options.decode
        fusion = fusion or self.options.fusion_for(base)

        lead = lead_samples(audio, self.options.lead_in_s)
        heard = with_lead_in(audio, lead)

        def run(frames: int | None) -> list[Word]:
            model = self._model(base, language_model, decode, fusion, lead_frames(frames, lead, FULL_FRAMES), workers,
                                phrases, boost)
            segments, _ = model.transcribe(
                heard, language=language, beam_size=decode.beam_size, word_timestamps=False, without_timestamps=True,
                condition_on_previous_text=False, vad_filter=False, max_new_tokens=max_new_tokens,
            )
            return words_without_lead_in(spread_words(segments, len(heard) / RATE), lead, len(audio) / RATE)

        words = run(encoder_frames)
        if _short_window(encoder_frames) and repeats_itself(" ".join(w.text for w in words)):
            words = run(None)
        if language_model is not None:
            words = respell_words(words, language_model.spellings, near_misses(language_model))
            words = recased_words(words, language_model.lower_case)[0]
        return open_words(words)

    def warm_up(self, bases: Iterable[BaseModel], decode: DecodeOptions, workers: int = 1) -> None:
        """Load each base model (the stream replicas) and run it once on silence."""
        seen = set()
        for base in bases:
            if base.model not in seen:
                seen.add(base.model)
                self.quick_words(np.zeros(RATE, np.float32), base, decode=dataclasses.replace(decode, beam_size=1),
                                 encoder_frames=1000, workers=workers)

    # -- per call -------------------------------------------------------------------------
    def _model(self, base: BaseModel, language_model: NgramLM | None, decode: DecodeOptions, fusion: FusionSettings,
               encoder_frames: int | None, workers: int, phrases: list[list[str]] | None = None,
               boost: float = DEFAULT_WEIGHT) -> EngineWhisper:
        if language_model is None and not phrases:
            whisper = self.whisper(base.model, decode.compute_type, decode.cpu_threads, workers)
            return whisper.view(encoder_frames=encoder_frames)
        parts = self.parts(base.model, decode.compute_type, decode.cpu_threads)
        retriever = None
        if fusion.retrieval and language_model is not None and language_model.terms:
            retriever = self._retriever(language_model, fusion.biasing)
        fused = self._fusion(language_model, fusion, parts, phrases, boost)
        off_domain = None  # a window the gate finds off the CLM's domain keeps the user's vocabulary
        if phrases and language_model is not None:
            assert parts.vocab.encode is not None
            off_domain = PhraseBoost(None, build_trie(phrases, parts.vocab.encode), boost)
        generator = FusedGenerator(
            parts.whisper.model, parts.decoder, parts.vocab, fused,
            fusion.history_words, fusion.candidates_per_beam, retriever, fusion.biasing, self.options.blas_threads,
            domain_gate(language_model, fusion.min_domain_gain, parts.vocab.decode, parts.vocab.eot,
                        _mixed_share(fused)) if fused else None,
            fusion.end_margin, off_domain,
            SentenceCase(parts.restarts.stops, parts.case_variant, parts.vocab.decode, parts.vocab.eot)
            if parts.restarts is not None else None,
            keep_clm_windows=not fusion.resample_clm_windows, run_on_words=fusion.run_on_reset_words,
            sentence_ends=SentenceEnds.for_vocab(parts.vocab) if fusion.whisper_sentence_ends else None,
            long_form=fusion.long_form,
            credited=_credited(fusion, parts),
            skip_check=SkipCheck.of(fusion) if language_model is not None else None,
            plain_after_off_domain=fusion.plain_after_off_domain,
        )
        return parts.whisper.view(generator=generator, encoder_frames=encoder_frames)

    def _fusion(self, language_model: NgramLM | None, settings: FusionSettings, parts: DecoderParts,
                phrases: list[list[str]] | None = None, boost: float = DEFAULT_WEIGHT) -> Fusion | None:
        """The scorers fused for `language_model`: its token model where it was built on this
        base model's tokenizer (else its words), a vocabulary's phrases boosted on top, minus
        Whisper's internal LM if weighted (only with a CLM)."""
        vocab = parts.vocab
        clm = self._clm_fusion(language_model, settings, parts) if language_model is not None else None
        fused: Fusion | None = clm
        if phrases:
            assert vocab.encode is not None
            fused = PhraseBoost(clm, build_trie(phrases, vocab.encode), boost)
        if clm is not None and fused is not None and settings.internal_lm_weight:
            mixed = clm if isinstance(clm, TokenFusion) and settings.clm_share < 1.0 else None
            # Mixed, the internal LM is taken off at the CLM's own alpha: text the domain never
            # wrote then scores as Whisper alone would (alpha ln P_ilm - alpha ln P_ilm), and only
            # the domain's evidence moves the search (see FusionSettings.clm_share).
            weight = mixed.alpha if mixed is not None else settings.internal_lm_weight
            if settings.prior_case_neutral and not settings.case_neutral:
                forms = _forms(dataclasses.replace(settings, case_neutral=True), parts)  # the word in either casing
            else:  # the CLM's own forms where it has them: one cache of them per search
                forms = clm.forms if isinstance(clm, TokenFusion) else _forms(settings, parts)
            density = DensityRatio(fused, weight, vocab.eot, parts.fillers, forms,
                                   parts.number_digits if settings.number_neutral else None)
            if mixed is not None:
                mixed.mix_with(density.ilm.token_logp, settings.clm_share)
                assert language_model is not None
                reads = settings.reads_unseen_in_context(language_model.header.get("everyday_share"))
                general = self._general_tokens(parts) if reads else None
                if general is not None:
                    mixed.read_unseen_in_context(general, density.ilm.exact_logp)
            return density
        return fused

    def _general_tokens(self, parts: DecoderParts) -> np.ndarray | None:
        """ln P in general English of each of the base model's tokens, once per tokenizer."""
        with self._lock:
            if parts.tokenizer not in self._general:
                assert parts.vocab.encode is not None
                self._general[parts.tokenizer] = token_logprobs(parts.vocab.encode, parts.vocab.eot)
            return self._general[parts.tokenizer]

    def _clm_fusion(self, language_model: NgramLM, settings: FusionSettings,
                    parts: DecoderParts) -> TokenFusion | WordFusion | None:
        vocab = parts.vocab
        fusion: TokenFusion | WordFusion | None = None
        share = language_model.header.get("everyday_share")
        token_model = language_model.token_model if settings.unit == "token" else None
        if token_model is not None and not _same_tokenizer(language_model, parts.tokenizer):
            token_model = None  # its ids are another tokenizer's: fuse its words instead
        if token_model is not None:
            if settings.token_alpha or settings.token_beta:
                assert vocab.encode is not None
                fusion = TokenFusion(token_model, settings.fused_token_alpha(share), settings.token_beta, vocab.encode, vocab.eot,
                                     _forms(settings, parts), parts.fillers,
                                     parts.restarts if settings.restarts_free else None,
                                     parts.restarts.stops if settings.sentence_start and parts.restarts else frozenset(),
                                     vocab.space_start)
        elif settings.alpha or settings.beta:
            fusion = WordFusion(language_model, settings.clm_weight(share) * settings.alpha, settings.beta, normalise_words, settings.lookahead)
        if fusion is not None:
            fusion.end_weight = settings.end_weight
        return fusion

    def _retriever(self, language_model: NgramLM, settings: BiasingSettings) -> TermRetriever:
        """One retriever per CLM and settings (building it squashes every term)."""
        with self._lock:
            per_lm = self._retrievers.setdefault(language_model, {})
            if settings not in per_lm:
                per_lm[settings] = TermRetriever(language_model.terms, settings, TermContext.of(language_model),
                                                 near_misses(language_model).by_spelling)
            return per_lm[settings]


AMBIGUOUS_FILLERS = frozenset(("er", "mm", "mmm", "hm"))  # also the start of words ("erase", "mm" units)


def _filler_tokens(vocab: Vocab) -> frozenset[int]:
    """The tokens that spell a hesitation on their own (" Um", "uh", " Hmm"): whether one is
    written is Whisper's call alone. The CLM is trained on text cleaned of them
    (lm.text_style), so scoring them would fight every "Um" Whisper hears and turn it into a
    word (the medical dev split lost ~1.5 WER points to that)."""
    encode = vocab.encode
    assert encode is not None
    out = set()
    for filler in FILLERS - AMBIGUOUS_FILLERS:
        for form in (filler, filler.capitalize()):
            ids = encode(" " + form)  # a word of its own: "er" unspaced is a suffix ("comput|er")
            if len(ids) == 1:
                out.add(ids[0])
    return frozenset(out)


def _restarts(vocab: Vocab, fillers: frozenset[int], case_variant: Callable[[int], int | None]) -> Restarts:
    """Restart finding over this tokenizer: its comma and sentence-end tokens."""
    encode = vocab.encode
    assert encode is not None

    def single(marks: str) -> frozenset[int]:
        ids = (encode(form) for mark in marks for form in (mark, " " + mark))
        return frozenset(i[0] for i in ids if len(i) == 1)

    return Restarts(single(","), single(".?!"), vocab.space_start, vocab.eot, fillers, case_variant)


def _credited(settings: FusionSettings, parts: DecoderParts) -> frozenset[int] | None:
    """The sentence-end tokens that, with every timestamp, earn the beam's mean fusion bonus in a
    fused search (FusionSettings.whisper_token_credit, search.whisper_token_credit); None: off."""
    if not settings.whisper_token_credit:
        return None
    return parts.restarts.stops if parts.restarts is not None else frozenset()


def _forms(settings: FusionSettings, parts: DecoderParts) -> Forms:
    """The surface forms a token is scored as (its number's, its other casing's where case-neutral)."""
    return surface_forms(parts.number_forms if settings.number_neutral else {},
                         parts.case_variant if settings.case_neutral else None)


def _case_variants(vocab: Vocab) -> Callable[[int], int | None]:
    """token -> the single token spelling it with its first letter's case swapped, if any."""
    encode = vocab.encode
    assert encode is not None

    @lru_cache(maxsize=None)
    def variant(tok: int) -> int | None:
        text = vocab.decode([tok])
        word = text.lstrip()
        if not word[:1].isalpha():
            return None
        swapped = text[: len(text) - len(word)] + word[0].swapcase() + word[1:]
        ids = encode(swapped)
        return ids[0] if len(ids) == 1 and ids[0] != tok else None

    return variant


def _short_window(encoder_frames: int | None) -> bool:
    return encoder_frames is not None and encoder_frames < FULL_FRAMES


def _mixed_share(fused: Fusion | None) -> float:
    """The CLM's share where `fused` mixes it with Whisper's prior (1.0 unmixed): the gate
    judges a window by the CLM as fusion uses it."""
    while fused is not None and not isinstance(fused, TokenFusion):
        fused = getattr(fused, "inner", None)
    return fused.share if fused is not None else 1.0


def _same_tokenizer(language_model: NgramLM, fingerprint: str) -> bool:
    recorded = language_model.header.get("token_tokenizer")
    if recorded:
        return bool(recorded == fingerprint)
    # CLMs trained before the fingerprint was recorded: every base model then was tiny.en.
    return language_model.base_model_version == 1 and fingerprint == tokenizer_fingerprint(_tiny_en_dir())


@lru_cache(maxsize=1)
def _tiny_en_dir() -> str:
    from jargonaut.asr.base_models import default_model_dir

    return default_model_dir()


def _vocab(whisper: EngineWhisper, decoder: StepDecoder) -> Vocab:
    from faster_whisper.tokenizer import Tokenizer

    hf = whisper.hf_tokenizer
    tok = Tokenizer(hf, whisper.model.is_multilingual, task="transcribe", language="en")
    n_vocab = decoder.embedding.shape[0]
    space = np.zeros(n_vocab, bool)
    for i in range(min(n_vocab, hf.get_vocab_size())):
        piece = hf.id_to_token(i)
        space[i] = bool(piece) and piece.startswith("Ġ")

    @lru_cache(maxsize=100_000)
    def _decode(ids: tuple[int, ...]) -> str:
        return str(tok.decode(list(ids)))

    def encode(text: str) -> list[int]:
        return list(hf.encode(text, add_special_tokens=False).ids)

    return Vocab(
        eot=tok.eot,
        sot=tok.sot,
        timestamp_begin=tok.timestamp_begin,
        no_speech=tok.no_speech,
        space_start=space,
        decode=lambda ids: _decode(tuple(ids)),
        sot_prev=tok.sot_prev,
        encode=encode,
        no_timestamps=tok.no_timestamps,
        blank=tuple(encode(" ")),
    )


def recognition_from(segments: Iterable[Any], info: Any) -> Recognition:
    """faster-whisper's lazy segments (decoding happens while iterating) -> Recognition."""
    result = [
        Segment(
            start=float(s.start),
            end=float(s.end),
            text=s.text,
            words=[Word(float(w.start), float(w.end), w.word, float(w.probability)) for w in (s.words or [])],
        )
        for s in segments
    ]
    return Recognition(segments=result, duration=info.duration)


def spread_words(segments: Iterable[Any], total: float) -> list[Word]:
    """Words of untimed segments, each given a share of its segment's time by length."""
    words: list[Word] = []
    for segment in segments:
        tokens = segment.text.split()
        if not tokens:
            continue
        start, end = max(0.0, float(segment.start)), min(total, float(segment.end or total))
        weights = np.cumsum([0] + [len(t) + 1 for t in tokens], dtype=np.float64)
        span = max(end - start, 0.01)
        for i, token in enumerate(tokens):
            t0 = start + span * weights[i] / weights[-1]
            t1 = start + span * weights[i + 1] / weights[-1]
            words.append(Word(t0, t1, " " + token, float(np.exp(segment.avg_logprob))))
    return words


Transcriber = Callable[[np.ndarray], str]
