"""Long-form recognition with CLM fusion: faster-whisper's segmentation, our search.

faster-whisper already implements whisper's long-form loop (30 s windows, timestamp
tokens, seeking, previous-text conditioning, temperature fallback, no-speech skipping)
and word timings by cross-attention alignment (`ctranslate2.models.Whisper.align`). We
reuse that loop unchanged and replace only its decoding call: `FusedGenerator.generate`
runs our beam search with the fused scorers (decoder steps in ONNX Runtime, or NumPy as
the reference), while `encode`/`align` stay in CTranslate2. The engine hands it to
faster-whisper as the model of a per-call `EngineWhisper` view (`jargonaut.asr.whisper`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial
from typing import Any, Callable

import numpy as np
from threadpoolctl import threadpool_limits

from jargonaut.asr.decoder.biasing import (
    BiasingSettings,
    TermRetriever,
    accept_second_pass,
    glossary,
    introduces_term,
    looped,
    rare_in_general_english,
    squash,
    unsure_terms_first,
)
from jargonaut.asr.decoder.fusion import Fusion
from jargonaut.asr.decoder.gate import DomainGate
from jargonaut.asr.decoder.hypothesis import SearchResult, Vocab
from jargonaut.asr.decoder.lost_endings import EndingCandidates
from jargonaut.asr.decoder.model import StepDecoder
from jargonaut.asr.decoder.search import (
    LogitFilter,
    NoEndBefore,
    OneSegment,
    SuppressBlank,
    SuppressTokens,
    TimestampRules,
    beam_search,
)
from jargonaut.asr.decoder.segments import (
    TIMESTAMP_SECONDS,
    reads_into_next,
    replace_segment,
    segment,
    segment_alternatives,
    segment_spans,
    text_result,
)
from jargonaut.asr.decoder.sentence_case import SentenceCase
from jargonaut.asr.decoder.sentence_ends import SentenceEnds
from jargonaut.asr.decoder.skipped_speech import SkipCheck
from jargonaut.asr.decoder.sure_windows import (
    closed_as,
    keep_term_fixes,
    likelier_than_heard,
    resume_point,
    unsure_regions,
)
from jargonaut.asr.decoder.term_spotting import TermSpotter

MAX_LENGTH = 448  # Whisper's context: prompt and new tokens together


@dataclass
class _Result:
    """Shaped like ctranslate2's WhisperGenerationResult for faster-whisper."""

    sequences_ids: list[list[int]]
    scores: list[float]
    no_speech_prob: float


_SENTENCE_END = re.compile(r"[.?!](?=\s|$)")


def longest_run_on(text: str) -> int:
    """The most words `text` writes without a sentence end."""
    return max(len(part.split()) for part in _SENTENCE_END.split(text))


def sentence_ends(text: str) -> int:
    """Sentence ends in `text`: ".", "?" or "!" before a space or the end (not "Node.js", "3.5")."""
    return len(_SENTENCE_END.findall(text))


class FusedGenerator:
    """Stands in for `ctranslate2.models.Whisper` inside faster-whisper: our `generate`
    (every batch element, one search each), everything else delegated to CTranslate2."""

    def __init__(
        self, ct2: Any, decoder: StepDecoder, vocab: Vocab, fusion: Fusion | None = None,
        history_words: int = 4, candidates: int | None = None, retriever: TermRetriever | None = None,
        biasing: BiasingSettings = BiasingSettings(), blas_threads: int = 1, gate: DomainGate | None = None,
        end_margin: float | None = None, off_domain: Fusion | None = None,
        sentence_case: SentenceCase | None = None, keep_clm_windows: bool = False,
        run_on_words: int | None = None, sentence_ends: SentenceEnds | None = None, long_form: bool = False,
        credited: frozenset[int] | None = None, skip_check: SkipCheck | None = None,
        plain_after_off_domain: bool = False,
    ):
        self._ct2, self._decoder, self._vocab = ct2, decoder, vocab
        self._fusion, self._history_words, self._candidates = fusion, history_words, candidates
        self._retriever = retriever  # set for two-pass contextual biasing
        self._biasing = biasing
        self._long_form = long_form  # a recording longer than one window (BiasingSettings.long_form_sure_logprob)
        # NumPy decoder: small per-step matmuls; one BLAS thread is steadier than two on a busy
        # 2-core box (measured: 2 threads under load made a beam step 5-10x slower).
        self._blas_threads = blas_threads
        self._gate = gate  # off-domain windows decoded again without the CLM (gate.py)
        # a window after an off-domain one is read without the CLM first (FusionSettings.plain_after_off_domain)
        self._plain_after_off_domain = plain_after_off_domain
        self._off_domain_before = False  # the gate found the recording's last window off the domain
        # A window the CLM decided is not resampled for a low acoustic log-probability
        # (EngineWhisper.generate_with_fallback reads these two)
        self.keep_clm_windows = keep_clm_windows and fusion is not None
        self.decided_by_clm = False  # the last generate's every window kept the CLM's result
        self._end_margin = end_margin  # where a fused search may end (search.acoustic_end)
        # what the gate's re-decode fuses: a custom vocabulary's phrases stay, the CLM goes
        self._off_domain = off_domain
        self._sentence_case = sentence_case  # pass 2 keeps Whisper's capitalised sentence starts
        self._run_on_words = run_on_words  # previous text with a run-on this long is no prompt
        self._sentence_ends = sentence_ends  # Whisper's sentence ends back in fused text
        self._credited = credited  # sentence ends (and timestamps) that compete fairly with words (search.py)
        self._skip_check = skip_check  # a fused window that jumped over speech, read again (skipped_speech.py)
        # terms the audio supports where an unsure draft heard far from their spelling
        self._spotter = (TermSpotter(decoder, vocab, retriever, biasing)
                         if retriever is not None and biasing.spot_margin is not None and vocab.encode is not None
                         else None)
        # the spoken inflection back where only the CLM's text lacked it (lost_endings.py)
        self._endings = None
        if self._spotter is not None and biasing.ending_margin is not None and retriever is not None \
                and retriever.context is not None:
            from jargonaut.lm.general import zipf

            self._endings = EndingCandidates(retriever.context.lm.writes, zipf, biasing.ending_min_zipf)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ct2, name)

    def generate(self, encoder_output: Any, prompts: list[list[int]], **kw: Any) -> list[_Result]:
        if kw.get("sampling_temperature", 1.0) != 1.0 or kw.get("num_hypotheses", 1) > 1:
            # Temperature fallback samples; that stays CTranslate2's (rare, no CLM).
            return self._ct2.generate(encoder_output, prompts, **kw)
        if getattr(encoder_output, "device", "cpu") != "cpu":
            import ctranslate2

            encoder_output = encoder_output.to_device(ctranslate2.Device.cpu)
        enc = np.array(encoder_output)
        if len(enc) != len(prompts):
            raise ValueError(f"fused decoding got {len(enc)} encoder outputs for {len(prompts)} prompts")
        self.decided_by_clm = self._fusion is not None
        return [self._generate_one(enc[i], list(prompt), kw) for i, prompt in enumerate(prompts)]

    def _generate_one(self, encoded: np.ndarray, prompt: list[int], kw: dict[str, Any]) -> _Result:
        cross = self._decoder.cross_kv(encoded)
        vocab = self._vocab
        filters = self._filters(kw, timestamps=vocab.no_timestamps not in prompt)
        state = None
        previous_text = ""
        if self._fusion is not None:
            previous_text = vocab.decode([t for t in prompt if t < vocab.eot])
            state = self._fusion.history_state(previous_text, self._history_words)
            if self._run_on_words is not None and longest_run_on(previous_text) >= self._run_on_words:
                prompt = prompt[prompt.index(vocab.sot):]  # style reset: the words stay the CLM's context
        with threadpool_limits(limits=self._blas_threads, user_api="blas"):
            result = self._decide(cross, prompt, filters, state, previous_text, kw)
        n = max(len(result.tokens), 1)
        # faster-whisper derives avg_logprob from this score and falls back to sampling
        # (without the CLM) below its threshold. Keep it acoustic-only: judging windows by
        # the fused score instead was measured worse (biomed 20 clips: 45.2% vs 34.5% WER).
        score = result.acoustic / n ** kw.get("length_penalty", 1.0)
        return _Result([result.tokens], [score], result.no_speech_prob)

    def _decide(self, cross: Any, prompt: list[int], filters: list[Any], state: Any, previous_text: str,
                kw: dict[str, Any]) -> SearchResult:
        """The window's result: the fused search with its pass 2, or Whisper's own reading where
        the gate finds the window off the CLM's domain (or the skip check finds it skipped speech)."""
        gate, plain = self._gate, None

        def without_clm() -> SearchResult:  # Whisper's reading of the window, searched at most once
            nonlocal plain
            if plain is None:
                plain = self._without_clm(cross, prompt, filters, previous_text, kw)
            return plain

        if gate is not None and self._off_domain_before and self._plain_after_off_domain:
            # the window before was off the CLM's domain: read this one without the CLM first,
            # and keep that reading while the gate still finds it off the domain
            if gate.off_domain(previous_text, without_clm().tokens, self._history_words):
                return self._off_domain_result(without_clm())
        result = self._search(cross, prompt, filters, state, kw)
        if self._retriever is not None:
            # pass 2 even where pass 1 is off the domain: its terms can bring a window back (DEV
            # clips whose pass 1 the gate refused, read without the CLM: 16 / 8 kHz 386 / 593 ->
            # 399 / 612 errors)
            spans = segment_spans(result.tokens, self._vocab)
            if self._biasing.per_segment and len(spans) >= 2:
                result = self._segment_passes(cross, prompt, kw, result, previous_text, len(spans))
            else:
                result = self._second_pass(cross, prompt, filters, state, kw, result)
            if self._endings is not None:
                assert self._spotter is not None and self._biasing.ending_margin is not None
                result = self._spotter.restore_endings(cross, prompt, result, self._endings,
                                                       self._biasing.ending_margin,
                                                       self._biasing.ending_word_logprob)
        if gate is not None and gate.off_domain(previous_text, result.tokens, self._history_words):
            return self._off_domain_result(without_clm())
        self._off_domain_before = False
        if self._skip_check is not None and self._skip_check.suspect(result.tokens, self._vocab):
            if self._skip_check.covers_more(without_clm().tokens, result.tokens, self._vocab):
                self.decided_by_clm = False
                return without_clm()
        return result

    def _off_domain_result(self, plain: SearchResult) -> SearchResult:
        """Whisper's reading of a window off the CLM's domain; the next window starts from it."""
        self.decided_by_clm = False
        self._off_domain_before = True
        return plain

    def _without_clm(self, cross: Any, prompt: list[int], filters: list[Any], previous_text: str,
                     kw: dict[str, Any]) -> SearchResult:
        """The window searched again without the CLM (a custom vocabulary's phrases stay)."""
        state = None
        if self._off_domain is not None:
            state = self._off_domain.history_state(previous_text, self._history_words)
        return self._search(cross, prompt, filters, state, kw, fused=False)

    def _filters(self, kw: dict[str, Any], timestamps: bool, before: list[int] | None = None) -> list[LogitFilter]:
        """faster-whisper's logit rules for this call; `before`: tokens forced ahead of the search's."""
        vocab = self._vocab
        filters: list[LogitFilter] = [SuppressTokens(kw.get("suppress_tokens") or [])]
        if kw.get("suppress_blank", True):
            filters.append(SuppressBlank(vocab))
        if timestamps:
            filters.append(TimestampRules(vocab, kw.get("max_initial_timestamp_index", 50), before or []))
        else:
            filters.append(SuppressTokens(range(vocab.timestamp_begin, self._decoder.embedding.shape[0])))
        return filters

    def _second_pass(self, cross: Any, prompt: list[int], filters: list[Any], state: Any, kw: dict[str, Any],
                     first: SearchResult) -> SearchResult:
        """Decode the window again with the domain terms the first pass seems to contain as a prompt."""
        vocab = self._vocab
        draft = self._text(first.tokens)
        sure, terms, spotted = self._terms_for(first, draft, first.alternatives, cross, prompt)
        if not (terms or spotted) or vocab.sot not in prompt:
            return first
        stamps = [t for t in first.tokens if vocab.timestamp_begin <= t]
        if stamps and self._biasing.second_pass_reach is not None:
            reach = stamps[-1] - round(self._biasing.second_pass_reach / TIMESTAMP_SECONDS)
            filters = [*filters, NoEndBefore(vocab, reach)]

        def reread(glossary_terms: list[str]) -> SearchResult:
            second_prompt = self._glossary_prompt(prompt, glossary_terms)
            # faster-whisper's max_length is the prompt plus max_new_tokens: pass 2 gets the same
            # room for new tokens (a stream final's pass 2 otherwise stopped mid-sentence)
            new_tokens = kw.get("max_length", MAX_LENGTH) - len(prompt)
            second_kw = {**kw, "max_length": min(MAX_LENGTH, len(second_prompt) + new_tokens)}
            return self._search(cross, second_prompt, filters, state, second_kw)

        result = first
        if terms:
            second = reread(terms)
            verdict = self._verdict(first, second, draft, sure, terms)
            if verdict == "whole" and resume_point(second.tokens, vocab) != resume_point(first.tokens, vocab):
                # Pass 2 whole must not move faster-whisper's seek: the glossary prompt carries no
                # timestamps, so pass 2 often writes none, and the window would count as read to its end.
                verdict = "fixes"
            if verdict != "first":
                kept = closed_as(first, second, vocab) if verdict == "whole" else self._term_fixes(first, second, terms)
                result = self._cased(first, kept)
        return self._spotted_fixes(result, spotted, reread)

    def _segment_passes(self, cross: Any, prompt: list[int], kw: dict[str, Any], window: SearchResult,
                        previous_text: str, count: int) -> SearchResult:
        """Pass 2 per segment of a window pass 1 wrote as several (segments.py), in order: each
        goes on from the window's tokens so far, the earlier segments' fixes included."""
        for k in range(count):
            window = self._segment_pass(cross, prompt, kw, window, segment_spans(window.tokens, self._vocab)[k],
                                        previous_text, last=k == count - 1)
        return window

    def _segment_pass(self, cross: Any, prompt: list[int], kw: dict[str, Any], window: SearchResult,
                      span: tuple[int, int], previous_text: str, last: bool) -> SearchResult:
        """The window with the segment at `span` decoded again after its own glossary, or as it was.
        Pass 1's timestamps stay, so faster-whisper's seek does not move."""
        vocab = self._vocab
        first = segment(window, span, vocab)
        draft = self._text(first.tokens)
        lo, hi = span
        sure, terms, spotted = self._terms_for(first, draft, segment_alternatives(window, span, vocab), cross,
                                               prompt + window.tokens[:lo])
        if not (terms or spotted) or vocab.sot not in prompt:
            return window
        before = window.tokens[:lo + 1]
        room = 2 * (hi - lo) + 8  # room to re-read the segment, not the rest of the window
        # OneSegment first: the timestamp rules, seeing a closed segment's timestamps likelier than
        # any text, would take the end (EOT) away with the text and leave nothing to choose
        reach = round((self._biasing.second_pass_reach or 0.0) / TIMESTAMP_SECONDS)
        # not past where the next segment starts: its words would be written twice
        closing = OneSegment(vocab, max(first.tokens[0], first.tokens[-1] - reach), first.tokens[-1] + (reach if last else 0))
        filters = [closing, *self._filters(kw, timestamps=True, before=before)]
        state = None
        if self._fusion is not None:
            context = " ".join(t for t in (previous_text, self._text(before)) if t)
            state = self._fusion.history_state(context, self._history_words)

        def reread(glossary_terms: list[str]) -> SearchResult:
            second_prompt = self._glossary_prompt(prompt, glossary_terms, len(before)) + before
            second_kw = {**kw, "max_length": min(MAX_LENGTH, len(second_prompt) + room)}
            found = self._search(cross, second_prompt, filters, state, second_kw)
            text_at = [i for i, t in enumerate(found.tokens) if t < vocab.eot]
            return text_result([first.tokens[0], *(found.tokens[i] for i in text_at), first.tokens[-1]],
                               [first.logprobs[0], *(found.logprobs[i] for i in text_at), first.logprobs[-1]], vocab)

        new = first
        if terms:
            second = reread(terms)
            verdict = self._verdict(first, second, draft, sure, terms)
            if verdict == "whole" and reads_into_next(draft, self._text(second.tokens), self._text(window.tokens[hi + 1:])):
                verdict = "fixes"  # the next segment's opening words stay where pass 1 put them
            if verdict != "first":
                new = self._cased(first, second if verdict == "whole" else self._term_fixes(first, second, terms))
        new = self._spotted_fixes(new, spotted, reread)
        return window if new is first else replace_segment(window, span, new, vocab)

    def _spotted_fixes(self, result: SearchResult, spotted: list[str],
                       reread: Callable[[list[str]], SearchResult]) -> SearchResult:
        """`result` with the fixes of one more pass 2 whose glossary is the spotted terms it does
        not spell (term_spotting.py). A pass of their own, and fixes only: added to the window's
        glossary, a chance term changed what pass 2 wrote elsewhere (biomed 8 kHz "Trastuzumab
        and Pertuzumab" lost when "prostate" joined the list)."""
        text = squash(self._text(result.tokens))
        missing = [term for term in spotted if squash(term) not in text]
        if not missing:
            return result
        return self._cased(result, self._term_fixes(result, reread(missing), missing))

    def _term_fixes(self, first: SearchResult, second: SearchResult, terms: list[str]) -> SearchResult:
        """Pass 1 with pass 2's fixes that spell one of `terms` and lose none of the CLM's."""
        assert self._retriever is not None
        return keep_term_fixes(first, second, terms, self._vocab, self._retriever.key_set, self._retriever.settle)

    def _cased(self, first: SearchResult, kept: SearchResult) -> SearchResult:
        return self._sentence_case.keep(first, kept) if self._sentence_case is not None else kept

    def _terms_for(self, first: SearchResult, draft: str, alternatives: list[list[int]], cross: Any,
                   context: list[int]) -> tuple[bool, list[str], list[str]]:
        """Whether the draft was heard surely, the glossary's terms for it, and the terms the
        spotter found besides (`context`: the tokens `first` was decoded after)."""
        assert self._retriever is not None
        acronyms = self._spotter.spot_acronyms(cross, context, first) if self._spotter is not None else []
        if self._draft_is_sure(first) and not self._unsure_in_long_form(first, draft):
            return True, self._terms_misheard_surely(first, draft), acronyms
        heard = draft
        if self._biasing.nbest_draft:  # the beam's other endings spell rare words differently
            heard = " ".join([draft] + [self._text(alt) for alt in alternatives])
        terms = self._retriever.for_unsure(heard, exclude=draft)
        spotted: list[str] = []
        if self._biasing.unsure_word_logprob is not None:
            terms = self._unsure_first(first, draft, terms)
            if self._spotter is not None:
                spotted = [t for t in self._spotter.spot(cross, context, first, self._biasing.unsure_word_logprob)
                           if t not in terms]
        return False, terms, spotted + [t for t in acronyms if t not in terms and t not in spotted]

    # Session 59: where the glossary sits barely matters (DEV long recordings, 3 parts, 16 kHz:
    # 411 CLM errors; after the previous text 408, without it 411); its terms also boosted token
    # by token in pass 2 (`PhraseBoost`, 1.0 a token): DEV per clip 16 / 8 kHz 383 / 591 -> 376 /
    # 610 CLM errors, chance terms written at 8 kHz.
    def _glossary_prompt(self, prompt: list[int], terms: list[str], extra: int = 0) -> list[int]:
        """`prompt` with the terms' glossary ahead of its previous text, which is cut to
        faster-whisper's prompt budget (less `extra` tokens the caller adds)."""
        vocab = self._vocab
        assert vocab.encode is not None and vocab.sot_prev is not None
        glossary_ids = vocab.encode(glossary(terms))
        start = prompt.index(vocab.sot)
        head = prompt[:start]
        previous = head[1:] if head and head[0] == vocab.sot_prev else []
        room = MAX_LENGTH // 2 - 1 - len(glossary_ids) - extra
        return [vocab.sot_prev, *glossary_ids, *(previous[-room:] if room > 0 else []), *prompt[start:]]

    def _verdict(self, first: SearchResult, second: SearchResult, draft: str, sure: bool, terms: list[str]) -> str:
        """What to keep of pass 2: "whole", only its term "fixes" (`keep_term_fixes`), or "first"."""
        if sure:
            return "fixes"
        assert self._retriever is not None
        text = self._text(second.tokens)
        settle = self._retriever.settle
        if not accept_second_pass(draft, text, first.mean_logprob, second.mean_logprob, self._biasing, terms, settle):
            # the guard judges the whole text, a fix is one word
            return "fixes" if self._biasing.fixes_when_rejected and not looped(text, self._biasing) else "first"
        if introduces_term(text, draft, self._retriever.terms, settle):
            # pass 2 lost a term pass 1 spelled ("ClickHouse" -> "clickov" while gaining
            # "PagerDuty"): only its term fixes go into pass 1
            return "fixes"
        return "whole"

    def _unsure_first(self, first: SearchResult, draft: str, terms: list[str]) -> list[str]:
        """`terms` with the matches of the draft's unsure words first (`unsure_terms_first`)."""
        settings, bar = self._biasing, self._biasing.unsure_word_logprob
        assert bar is not None
        return unsure_terms_first(self._region_terms(first, draft, bar), terms, settings.max_terms)

    def _region_terms(self, first: SearchResult, draft: str, bar: float) -> list[list[str]]:
        """Each unsure region's own lookup: the terms matching around a word heard below `bar`."""
        assert self._retriever is not None
        return [self._retriever.for_unsure(region.text, exclude=draft, region=True)
                for region in unsure_regions(first, self._vocab, bar, self._biasing.max_span_words - 1)]

    def _terms_misheard_surely(self, first: SearchResult, draft: str) -> list[str]:
        """Terms for a sure draft: only near words it heard less surely, only close matches."""
        settings, cutoff = self._biasing, self._biasing.sure_min_similarity
        assert self._retriever is not None
        if cutoff is None or self._gate is None:
            # without the CLM's word fit nothing tells a term's mishearing from the domain's
            # own words, and a low word bar would look up most of every window
            return []
        fit = self._gate.fit
        # a word of the domain's own text was heard as it writes it
        familiar = partial(fit.domain_words, min_gain=settings.sure_max_word_gain)
        terms: list[str] = []
        for region in unsure_regions(first, self._vocab, settings.sure_word_logprob, settings.max_span_words - 1,
                                     familiar):
            found = self._retriever.retrieve(region.text, exclude=draft, min_similarity=cutoff,
                                             by_sound=settings.sure_by_sound)
            found = [t for t in found if t not in terms and rare_in_general_english(t, settings.sure_max_zipf)]
            terms += likelier_than_heard(found, region, fit.unigram)  # a fix only for a word the domain would not write
        return terms[: settings.max_terms]

    def _unsure_in_long_form(self, first: SearchResult, draft: str) -> bool:
        """Whether a draft sure by the bars is still read as unsure: in a long recording, below
        `long_form_sure_logprob`, with a word below `long_form_word_logprob` in a region matching a term."""
        bar = self._biasing.long_form_sure_logprob
        if not self._long_form or bar is None or first.mean_logprob >= bar:
            return False
        return any(self._region_terms(first, draft, self._biasing.long_form_word_logprob))

    def _draft_is_sure(self, first: SearchResult) -> bool:
        """Whether pass 1 is sure enough to skip pass 2: a mean acoustic log-probability per
        token at or above the bar, and (when set) no text token below the token bar."""
        mean_bar, token_bar = self._biasing.max_draft_logprob, self._biasing.min_token_logprob
        if mean_bar is None or first.mean_logprob < mean_bar:
            return False
        return token_bar is None or first.lowest >= token_bar

    def _text(self, tokens: list[int]) -> str:
        """The words of a decoded sequence (timestamps and specials dropped)."""
        return self._vocab.decode([t for t in tokens if t < self._vocab.eot])

    def _search(self, cross: Any, prompt: list[int], filters: list[Any], state: Any,
                kw: dict[str, Any], fused: bool = True) -> SearchResult:
        """One beam search; `fused=False`: without the CLM (Whisper alone, or with the custom
        vocabulary's phrases only)."""
        scorer = self._fusion if fused else self._off_domain
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
            fusion=scorer,
            lm_state=state,
            n_candidates=self._candidates if scorer is not None else None,
            end_margin=self._end_margin if scorer is not None else None,
            sentence_ends=self._sentence_ends if fused and scorer is not None else None,
            credited=self._credited if scorer is not None else None,
        )
