"""Two-pass contextual biasing: retrieve the CLM's domain terms that a draft transcript
seems to be trying to spell, and prompt Whisper with them for the second pass.

A static prompt of the CLM's top words helps a small domain but hallucinates on a large
one (medical dev: 43.6% WER), because most of it is irrelevant to any given window. Here
each 30 s window gets only the terms that fuzzily match what pass 1 heard there: a rare
word Whisper misses tends to come out as a near-spelling or split into pieces
("sefter axone" for "ceftriaxone"), so draft spans of one to three words, squashed to
letters and digits, are compared with every term (RapidFuzz, normalised Indel similarity).

The prompt keeps Whisper's style: terms are written in the domain text's own casing and
joined as a comma-separated list ending with a full stop, placed before the previous
window's (cased, punctuated) text in the `<|startofprev|>` slot. A guard keeps pass 1's
result whenever pass 2 looks like a prompt-induced failure (much longer or shorter,
repetitive, or acoustically far less likely), so no prompt can blow up the error rate.
"""
from __future__ import annotations

import os
import re
import zlib
from dataclasses import dataclass
from typing import Callable

import numpy as np

from jargonaut.asr.decoder.acronyms import spelled_letters
from jargonaut.asr.decoder.phonetic import MIN_KEY, phone_key
from jargonaut.asr.decoder.term_context import DraftContext, TermContext

_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_SQUASH = re.compile(r"[^a-z0-9]+")
# Spelling -> rough sound: Whisper's near-misses are phonetic ("Hambral as you map" for
# "pembrolizumab"), so spans and terms are compared as consonant skeletons with every
# vowel run written "a" (plain-spelling similarity 50 -> 85 for that pair).
_SOUNDS = (("ph", "f"), ("ck", "k"), ("qu", "kw"), ("x", "ks"), ("q", "k"), ("z", "s"), ("y", "i"),
           ("ce", "se"), ("ci", "si"), ("c", "k"), ("th", "t"), ("gh", "g"))
_DOUBLES = re.compile(r"(.)\1+")
_VOWELS = re.compile(r"[aeiou]+")
#: a word -> how the transcript's respelling writes it, or None for unchanged (`lm.near_miss`)
Settle = Callable[[str], "str | None"]
MAX_WORD_CHARS = 20  # a looping draft must not make one huge span
_LOOP = re.compile(r"(.{2,6}?)\1{2,}")  # "dapiglaflaflafla" -> "dapiglafla"


def squash(text: str) -> str:
    return _SQUASH.sub("", text.lower())


def sound_key(squashed: str) -> str:
    for spelling, sound in _SOUNDS:
        squashed = squashed.replace(spelling, sound)
    return _VOWELS.sub("a", _DOUBLES.sub(r"\1", squashed))


@dataclass(frozen=True)
class BiasingSettings:
    # Terms per window prompt. Session 58, DEV per clip at 8 kHz, CLM errors 591 at 20: 10 -> 605,
    # 32 -> 598 (an unsure draft's 20 are mostly chance likenesses, but fewer lose the real term
    # and more crowd the prompt).
    max_terms: int = 20
    # RapidFuzz ratio (0-100) of the sound keys of a span and a term (an unsure window's
    # lookup without a context, below). DEV domains per clip, mean relative WER reduction at
    # 80 / 75 / 70: 16 kHz 35.3 / 36.5 / 37.8%, 8 kHz 30.4 / - / 32.8% ("have it the" ->
    # "EBITDA" passes at 70), long recordings and medical dev unchanged; but at 70 the extra
    # weak terms crowd the prompt and the stream and whisper-base tests' clips lost "olaparib"
    # and "warfarin" (with 10 terms a prompt, the batch job too). So 80 by likeness alone.
    min_similarity: float = 80.0
    max_span_words: int = 3
    min_chars: int = 4  # spans and terms shorter than this never match (too ambiguous)
    # Guard (pass 2 is dropped when any holds):
    max_word_growth: float = 0.25  # more than 25% (+2) words than pass 1
    max_word_shrink: float = 0.25  # fewer than 75% (-2) of pass 1's words
    max_compression: float = 2.4  # faster-whisper's repetition threshold
    max_logprob_drop: float = 0.3  # mean acoustic log-probability per token lower by this
    # ... or when pass 2 does not spell any retrieved term that pass 1 lacked: then the
    # prompt only perturbed the window (style, fillers) without fixing a term.
    require_new_term: bool = True
    nbest_draft: bool = True  # retrieve from every finished beam hypothesis, not just the best
    # Pass 2 only for windows whose pass-1 mean acoustic log-probability per token is below
    # this (None: every window): pass 2 doubles the decoding cost of a window, and a rare term
    # misheard shows as an unsure draft. Medical dev (whole recordings): every window 10.99%
    # WER at fused/plain RTF 1.55x; below -0.4 only, 11.51% at 0.92x (pass 2 had been kept in
    # 7 of ~65 windows, at drafts of -0.18 to -0.38). Checked on biomed, not tuned: 16 kHz
    # 11.61% either way, 8 kHz 19.09% -> 18.70%.
    max_draft_logprob: float | None = -0.35
    # (-0.4 until session 38.) With the 0.5 s lead-in (`EngineOptions.lead_in_s`) drafts got
    # surer and biomed test_001, the README's clip, moved from -0.407 to -0.390: no pass 2, no
    # "apixaban". Simulated per clip on DEV and biomed with the lead-in (each clip is one window:
    # pass 1 and pass 2 logged for every clip, the bar applied afterwards), errors 16 kHz / 8 kHz:
    # -0.4: DEV 182 / 266, biomed 46 / 63; -0.38: 182 / 266, 43 / 63; -0.35 and -0.33: 182 / 266,
    # 43 / 59; -0.3: 185 / 266, 43 / 59 (DEV clips with pass 2: 133 / 153 of 180 at -0.4, 150 /
    # 170 at -0.35). Medical CAR0002's first 300 s: 11 of 73 segment drafts unsure at -0.4, 16 at
    # -0.35. The mean over text tokens only (a short clip's closing timestamp, a guess at where
    # speech ends, is -3.5 or so) did as well at -0.175 on DEV and biomed, but made 29 of those 73
    # unsure (conversational speech is less sure throughout; speed bench, machine busy: 1.76x).
    # ... and only when no text token is below this (None: the mean alone decides). A 30 s
    # window of a long recording holds a misheard term among ~100 sure tokens, so its mean
    # stays high where a short clip's would not. DEV domains as one long recording each (CLM
    # WER, mean bar alone -> token bar -3.0 / -2.0 / every window): devops 17.55 -> 14.99 /
    # 15.17 / 14.08%, legal 13.64 -> 14.09 / 13.41 / 13.64%, finance 9.63% throughout,
    # automotive 6.70 -> 6.70 / 6.03%. Cost, medical dev 3 x 120 s: pass 2 in 4 of 17 windows
    # -> 7 (-3.0) / 11 (-2.0); -3.0 keeps decoding within the 1.3x budget.
    min_token_logprob: float | None = -3.0
    # In a recording longer than one window, a draft sure by both bars but with a mean below
    # this is read as unsure after all (pass 2 with an unsure draft's glossary) where a word it
    # heard below `long_form_word_logprob` (some token) lies in a region that matches a term as
    # an unsure region's own lookup does (`for_unsure(region=True)`); None: never. Read after
    # earlier text in a 30 s window, a misheard term is surer than the same words alone
    # ("Bulb rotated the posters password": -0.58 per token as a clip, -0.23 in a window).
    # DEV long recordings (3 parts), CLM errors: 426; every draft below -0.2 unsure 412, but
    # pass 2 in many more conversational segments (speed bench 1.24 -> 1.39x); gated by the
    # region lookup, at -0.2 / -0.1 / 0.0 417 each (word bar -1.0), 415 at word bar -0.5;
    # speed bench at -0.2 / -1.0 1.24x, unchanged. Held-out long (report): 630 -> 610 errors.
    # Session 58, DEV long recordings (3 parts) at 16 kHz, CLM errors 411 (today's decoding):
    # word bar -0.5 409; and for the sure windows below, `sure_min_similarity` 80 408,
    # `sure_word_logprob` -0.15 412; the CLM read from its line start after every timestamp
    # (`TokenFusion` keeps its state over a segment boundary) 410. The same DEV clips decoded one
    # by one make 383 errors. Session 59, the same reference words counted both ways: not at
    # window starts (first 3 words after a window start: 31 / 31 errors, long / clip), not at
    # sentence openings (first word 42 / 40, next two 87 / 95) but later in the sentence (282 /
    # 248): terms and inflections Whisper reads surely after earlier text ("Postgres" ->
    # "posters" with the term in pass 2's glossary, "Xero" -> "0" at -0.06 per token). A wider
    # fused search in long recordings is worse (beam 8: 418, patience 2: 423): the fused score
    # itself prefers these readings, not the search.
    long_form_sure_logprob: float | None = -0.2
    long_form_word_logprob: float = -1.0
    # A sure window (above both bars) can still hold a confident mishearing of a term
    # ("Carpenter" for Karpenter): it gets pass 2 only when a word the draft heard below
    # `sure_word_logprob` (some token of it) lies within a span that sounds at least
    # `sure_min_similarity` like a term the CLM finds likelier on its own than that word
    # (`sure_windows.likelier_than_heard`; None: sure windows never get pass 2), and keeps only
    # pass 2's term fixes (`sure_windows.keep_term_fixes`). Only terms with a word rarer in
    # general English than `sure_max_zipf` (wordfreq's Zipf scale: 3 = once per million words)
    # count there: Whisper hears common words well, and conversation is full of near matches to
    # a CLM's common words ("worse" / worsen, "been a" / bony). DEV long recordings, mean
    # relative WER reduction 16 kHz / 8 kHz: no sure-window pass 21.1 / 17.8%; word bar -1.0
    # without the likelier-term test 23.8 / 17.9%; with it, bar -0.7 23.8 / 21.3%, -0.5 24.5 /
    # 21.8%, -0.3 25.4 / 21.8% (per clip unchanged: short clips are rarely sure). Medical dev
    # (3 whole recordings, 48 sure windows): with the test, pass 2 in none of them at -0.7 and
    # -0.5, in 2 at -0.3, none kept; without it, 9 of 55 at -1.0 and 22 at -0.7 ("All right"
    # looked up as "alrighty", "yeah" as the text's typo "ueah"; speed bench 1.79x).
    sure_min_similarity: float | None = 90.0
    # ... by spelling, or by how they sound (`phonetic.phone_key`: espeak-ng IPA in coarse
    # classes), which finds "finals" for Thanos and "Ketta" for KEDA where the spelling keys
    # are far apart. DEV long recordings, mean relative WER reduction 16 kHz / 8 kHz: spelling
    # only 25.4 / 21.8%, by sound too 27.2 / 22.1%; medical dev (3 whole recordings): sure
    # windows with pass 2 2 of 47 -> 11 of 48, none kept; speed bench 1.13 -> 1.12x. Not in unsure windows: there the coarse key
    # matches many terms by chance ("histone", "donor" for "best in tumors") that crowd the
    # real one out of the prompt (DEV per clip rose 35.3 / 30.4 -> 36.7 / 33.2%, but the
    # whisper-base stream and batch tests lost "olaparib").
    sure_by_sound: bool = True
    sure_word_logprob: float = -0.3
    sure_max_zipf: float = 3.0
    # ... and such a word counts only if the CLM favours it over general English by less than
    # this (nats, unigram): a word of the domain's own text ("felt", "seven" in medical speech)
    # was heard as the domain writes it.
    sure_max_word_gain: float = 1.0
    # An unsure window's prompt takes the terms matching words it heard below this (some token;
    # with `max_span_words` - 1 words either side) first, the best of each such region in turn
    # (`unsure_terms_first`); None: best similarity over the whole window. A long window's best
    # matches were chance likenesses of sure words ("seals" for "cells", "potent" for "patient"),
    # and they crowded the misheard term out of its 20 slots.
    unsure_word_logprob: float | None = -1.0
    # With a context (the CLM's word model, term_context.py), an unsure window's terms match
    # at `context_min_similarity`, by spelling or by how they sound (`phonetic.phone_key`), and
    # its glossary keeps only the terms the CLM finds likelier than the words heard in the
    # span's place, ranked by likeness plus `context_weight` points per nat of that gain; None:
    # by likeness alone, as above. At 8 kHz the draft is far from a term's spelling ("that
    # sitter range" for CIDR), so only a low bar and sound keys find it, and ranked by likeness
    # alone the chance matches that come with them crowd it out. An oracle glossary (the terms
    # each DEV clip's reference spells) raised the DEV 8 kHz mean relative WER reduction from
    # 29.2 to 38.8%: retrieval, not fusion, was what 8 kHz lacked.
    context_weight: float | None = 1.0
    context_min_similarity: float = 70.0
    # ... and an unsure region's own lookup (`unsure_terms_first`, whose terms go ahead of the
    # window's) keeps only terms scoring at least this: a region heard right yields chance
    # terms that fit no worse than its words, and ahead of the window's best they crowded it out
    # (biomed: "instead of warfarin after the" put 20 such terms ahead of apixaban).
    context_region_min_score: float = 100.0
    # ... and a term the draft spells but for an ending it lost ("spike" heard, "spiked" in the
    # text) counts where the CLM finds it likelier than the form heard by more than this (nats);
    # None: never (an inflection of a heard word is taken as heard). A changed or added ending
    # never counts: with any inflection at 1.0, "We reconciled" became "We reconcile" and
    # "brokers" "broker" where the text wrote those forms more often. DEV per clip (session 23's
    # clips), errors 16 kHz / 8 kHz: None 175 / 348; any inflection 170 / 349; lost endings only
    # 172 / 348, every change a lost ending restored (resurfaced, cracked, patched, compressed)
    # or pass-2 noise elsewhere in the clip. Small; kept because it fixes only what it should.
    context_inflection_min_fit: float | None = 1.0
    # An unsure draft's words heard below `unsure_word_logprob` are also checked against the
    # audio (term_spotting.py): a candidate term (at least `spot_min_likeness` like the span by
    # sound key, likelier there to the CLM than the words heard; the `spot_candidates` best per
    # span start) is spotted where its acoustic log-probability in the span's place plus
    # `spot_fit_weight` times that CLM gain (at most 5 nats) is at most `spot_margin` nats below
    # the span's own. Up to `spot_max_terms` spotted terms the window's glossary lacks get a
    # pass 2 of their own, of which only their fixes are kept. None: no spotting. DEV per clip
    # (errors 16 kHz / 8 kHz): None 170 / 335; 8 nats 170 / 325 (6 clips changed at 8 kHz, 5
    # better: Argo, Istio, Cilium, deferred, Bates); 12 the same; taking the spotted terms' pass 2
    # whole where the guard allows, as an unsure window's, 170 / 325 as well (one better, one worse).
    # Session 58, DEV per clip at 8 kHz (CLM errors 591): spotted terms kept even where the glossary
    # lists them (pass 2 had not written them) 594; every word of an unsure draft spotted, not only
    # those below -1.0, 597. The misses are acoustic: read in place, the terms the CLM missed score
    # 2.5 nats or more below the words heard ("Bulldog" for "full dog" -2.5, "mare" for "mayor"
    # -2.8), and acoustic plus CLM gain ranks 5 of them above 0 against 31 chance terms.
    spot_margin: float | None = 8.0
    spot_fit_weight: float = 1.0
    spot_min_likeness: float = 50.0
    spot_candidates: int = 8
    spot_max_terms: int = 4
    # The CLM's acronyms (2-4 capitals) are spotted for the draft's words in capitals that are
    # letter-by-letter rhymes of one ("AFC" for ASC: acronyms.py), in sure drafts as well, and
    # judged as above. DEV per clip, errors 16 / 8 kHz: 182 / 266 -> 178 / 264 (6 clips better,
    # none worse: ASC, BGP twice each, NDA twice); long recordings (3 parts) 432 -> 427 errors.
    spot_acronyms: bool = True
    # After the passes, a word the CLM's text writes whose inflectional sibling is a general-English
    # word (Zipf >= `ending_min_zipf`) the text never writes is written as that sibling where
    # Whisper's decoder reads it there likelier by more than `ending_margin` nats (lost_endings.py;
    # None: never), for words that, or the token after them, Whisper heard below
    # `ending_word_logprob`: where the CLM overrode the audio. DEV per clip, errors 16 / 8 kHz, from
    # 178 / 264: every word 177 / 267 (8 right: scaled, exporters, warnings, trips, doubled; 11
    # wrong: Whisper reads "resurface rotors" +2.2 nats over "resurfaced", "waive", "pumped",
    # "objectives" all at -0.7 to -1.9); below -2.5 only, 175 / 262 (5 clips better, none worse:
    # the right ones were CLM-forced at -2.9 to -5.0).
    ending_margin: float | None = 0.0
    ending_min_zipf: float = 2.5
    # Only words that, or the token after, were heard below this. Session 58, DEV per clip at 8 kHz,
    # CLM errors 591 at -2.5: -1.5 591, -1.0 594.
    ending_word_logprob: float | None = -2.5
    # A rejected pass 2 (too long or short, no new term, acoustically worse) still gives its term
    # fixes to pass 1 (`keep_term_fixes`), unless it looped: in a long window the guard judges
    # 30 s of text, while a fix is one word ("All parib" -> "Olaparib").
    fixes_when_rejected: bool = True
    # Pass 2 may not close the window on a timestamp more than this many seconds before pass 1's
    # last (`search.NoEndBefore`); None: wherever. The glossary prompt made Whisper stop a long
    # window's pass 2 after a third of it ("... The patient started to", 6.8 of 15.6 s).
    second_pass_reach: float | None = 1.0
    # A window pass 1 wrote as two or more segments gets pass 2 per segment (segments.py), each
    # with its own glossary after pass 1's tokens up to it, as a single clip gets; False: the
    # whole window at once. Session 59, DEV 16 kHz CLM errors, fusion alone (retrieval off) per
    # clip / long recordings (3 parts) 546 / 518, with pass 2 383 / 411: pass 2 fixes 163
    # errors in clips but 107 in long recordings, where a segment is re-read after the window's
    # earlier sentences (pass 2 kept whole in 40 of 368 segments, in clips 77 of 349). Every
    # long-form draft read as unsure (no sure-window gate) closes little of it: 404. A segment
    # re-read on its own audio instead (its mel frames +-0.2 s as a window of their own, as a clip
    # is heard): 16 kHz 394, but 8 kHz 547 -> 570 and medical dev 288 -> 307 (fillers written
    # 30 -> 61, RTF 0.12 -> 0.24; keeping only its term fixes 299): not kept.
    per_segment: bool = True
    # Pass 2 counts as spelling a term where it writes a near miss of it that the transcript's
    # respelling settles to that term (`lm.near_miss`: a non-word a letter or two from one clear
    # domain word), as it will be written in the end; False: only exact spellings count, and
    # such a pass 2 was dropped as fixing no term ("started to pixaban" for apixaban). Biomed
    # per clip, errors 16 / 8 kHz: 45 / 75 -> 40 / 73 (term recall 85.1 -> 86.1%); DEV per clip
    # unchanged (182 / 266, lead-in 0.5 s): its terms are rarely near-missed, but drug names are.
    # By spelling only (`NearMisses.by_spelling`), not by sound as the transcript's respelling
    # also settles: a glued "dropsamples" passed for the term "downsamples" (session 60).
    settle_near_misses: bool = True
    # DEV domains per clip, mean relative WER reduction 16k / 8k: HEAD 34.9 / 25.4; the first two
    # 34.2 / 26.8 (long recordings 27.3 / 16.4 -> 27.5 / 17.2; medical dev 10.08% either way); all
    # three 36.8 / 27.5, with pass 1's timestamps kept under the fixes (`keep_term_fixes`).


class TermRetriever:
    """Fuzzy lookup of a draft's spans among one CLM's domain terms; `context` (the CLM's word
    model, term_context.py) ranks an unsure draft's matches by where they fit."""

    def __init__(self, terms: list[str], settings: BiasingSettings, context: TermContext | None = None,
                 settle: Settle | None = None):
        self.settings = settings
        # a word as the transcript's respelling will write it (None: as it is), for judging pass 2
        self.settle = settle if settings.settle_near_misses else None
        self.context = context if settings.context_weight is not None else None
        keys = [squash(t) for t in terms]
        keep = [i for i, k in enumerate(keys) if len(k) >= settings.min_chars]
        self.terms = [terms[i] for i in keep]
        self.keys = [keys[i] for i in keep]
        self.sounds = [sound_key(k) for k in self.keys]
        by_sound = settings.context_weight is not None or (settings.sure_by_sound and settings.sure_min_similarity is not None)
        phones = [phone_key(t) for t in self.terms] if by_sound else []
        self._by_sound = [i for i, key in enumerate(phones) if len(key) >= MIN_KEY]  # terms matched by sound too
        self.phones = [phones[i] for i in self._by_sound]
        self._lengths = np.asarray([len(k) for k in self.keys])
        self.key_set = frozenset(self.keys)  # what a fix may not lose (sure_windows.keep_term_fixes)
        # terms in capitals of 2-4 letters, matched letter by letter (acronyms.py), not by likeness
        self.acronyms = [t for t in terms if spelled_letters(t)] if settings.spot_acronyms else []

    def _spans_at(self, draft: str) -> tuple[list[str], list[tuple[int, int, str]]]:
        """The draft's words, and each span of one to `max_span_words` of them long enough to
        match: (index of its first word, its number of words, squashed key)."""
        pairs = [(_word_key(w), w[:MAX_WORD_CHARS]) for w in _WORD.findall(draft)]
        pairs = [(key, w) for key, w in pairs if key]
        at: list[tuple[int, int, str]] = []
        for n in range(1, self.settings.max_span_words + 1):
            for i in range(len(pairs) - n + 1):
                span = "".join(key for key, _ in pairs[i : i + n])
                if len(span) >= self.settings.min_chars:
                    at.append((i, n, span))
        return [w for _, w in pairs], at

    def likeness(self, words: list[str]) -> np.ndarray:
        """How much a span of draft words looks or sounds like each term (0-100, the better of
        the spelling's sound key and, for terms matched by sound, `phonetic.phone_key`)."""
        from rapidfuzz import fuzz, process

        span = "".join(_word_key(w) for w in words)
        if not span or not self.keys:
            return np.zeros(len(self.keys), np.uint8)
        scores = process.cdist([sound_key(span)], self.sounds, scorer=fuzz.ratio, dtype=np.uint8, workers=1)[0]
        phones = "".join(phone_key(w) for w in words)
        if self.phones and len(phones) >= MIN_KEY:
            sounded = process.cdist([phones], self.phones, scorer=fuzz.ratio, dtype=np.uint8, workers=1)[0]
            scores[self._by_sound] = np.maximum(scores[self._by_sound], sounded)
        return scores

    def spelled_in(self, draft: str) -> np.ndarray:
        """Per term: whether `draft` spells it, or it but for an inflection (no help needed)."""
        heard, by_stem = _heard(draft)
        return np.array([key in heard or bool(_inflections_of(key, by_stem.get(key[:MIN_STEM], set())))
                         for key in self.keys], dtype=bool)

    def for_unsure(self, draft: str, exclude: str | None = None, region: bool = False) -> list[str]:
        """The glossary's terms for an unsure draft: with a context, those matched by spelling or
        sound that fit where they match, best first; without, the close spellings. `region`: for
        one unsure region of it (`unsure_terms_first`), where only strong matches count."""
        if self.context is None:
            return self.retrieve(draft, exclude)
        return self.retrieve(draft, exclude, self.settings.context_min_similarity, by_sound=True, in_context=True,
                             min_score=self.settings.context_region_min_score if region else None)

    def retrieve(self, draft: str, exclude: str | None = None, min_similarity: float | None = None,
                 by_sound: bool = False, in_context: bool = False, min_score: float | None = None) -> list[str]:
        """Up to max_terms terms, best match first; terms that `exclude` (default: the
        draft) already spells are left out. `by_sound`: a term may also match by how it
        sounds (`phonetic.phone_key`; only when the settings keep sound keys). `in_context`
        (with a context): only terms the CLM finds likelier than the words heard in the
        span's place, ranked by likeness plus `context_weight` per nat of that gain, and scoring
        at least `min_score` when given."""
        if not self.keys:
            return []
        words, at = self._spans_at(draft)
        spans: dict[str, list[str]] = {}
        for i, n, span in at:
            spans.setdefault(span, words[i : i + n])
        if not spans:
            return []
        from rapidfuzz import fuzz, process

        cutoff = self.settings.min_similarity if min_similarity is None else min_similarity
        spelled = process.cdist([sound_key(s) for s in spans], self.sounds, scorer=fuzz.ratio, score_cutoff=cutoff,
                                dtype=np.uint8, workers=1)  # span x term
        sounded = np.zeros_like(spelled)
        # a span sounds like its words one after another (each word's key is cached)
        phones = [(row, key) for row, key in enumerate("".join(phone_key(w) for w in ws) for ws in spans.values())
                  if len(key) >= MIN_KEY] if by_sound and self.phones else []
        if phones:
            sounded[np.ix_([row for row, _ in phones], self._by_sound)] = process.cdist(
                [key for _, key in phones], self.phones, scorer=fuzz.ratio, score_cutoff=cutoff, dtype=np.uint8,
                workers=1)
        # A term the draft already spells, exactly or but for an inflection ("pains" when
        # it heard "pain"), needs no help: leave the room to the others.
        heard, by_stem = _heard(draft if exclude is None else exclude)

        def inflected(i: int) -> list[str]:
            """The heard words that are the term but for an inflection."""
            key = self.keys[i]
            return _inflections_of(key, by_stem.get(key[:MIN_STEM], set()))

        def needed(i: int) -> bool:
            return self.keys[i] not in heard and not inflected(i)

        if in_context and self.context is not None:
            inflection_fit = self.settings.context_inflection_min_fit

            def min_fit(i: int) -> float | None:
                if self.keys[i] in heard:
                    return None
                forms = inflected(i)
                if not forms:
                    return 0.0
                # Only an ending lost (a weak final -d, -s: "spike" for spiked), never one changed
                # or added: "reconciled" heard, "reconciling" or "reconcile" likelier after "we".
                if not all(self.keys[i].startswith(w) for w in forms):  # a heard form is never the key itself
                    return None
                return inflection_fit

            likeness = np.maximum(spelled, sounded)
            found = self._in_context(self.context.draft(words), at, list(spans), likeness, cutoff, min_fit)
            return [term for term, score in found if min_score is None or score >= min_score]
        best_spelled, best_sounded = spelled.max(axis=0), sounded.max(axis=0)
        hits = np.flatnonzero((best_spelled >= cutoff) | (best_sounded >= cutoff))
        kept = [i for i in hits.tolist() if needed(i)]
        # Spelling matches first (a near-spelling is the stronger evidence: the coarse sound
        # key finds more by chance, and a crowded prompt loses the real term), then sound-only
        # ones; best similarity first, longer terms first among equals (more specific).
        order = sorted(kept, key=lambda i: (-int(best_spelled[i]), -int(best_sounded[i]), -int(self._lengths[i]), i))
        return [self.terms[i] for i in order[: self.settings.max_terms]]

    def _in_context(self, draft: DraftContext, at: list[tuple[int, int, str]], keys: list[str],
                    likeness: np.ndarray, cutoff: float,
                    min_fit: Callable[[int], float | None]) -> list[tuple[str, float]]:
        """Terms that match a span and fit there better than what was heard (by more than
        `min_fit` of the term, nats; None: not wanted), ranked by likeness plus
        `context_weight` per nat of that fit (best over their spans)."""
        assert self.context is not None and self.settings.context_weight is not None
        weight, row = self.settings.context_weight, {key: r for r, key in enumerate(keys)}
        wanted: dict[int, float | None] = {}
        best: dict[int, float] = {}
        for start, n, span in at:
            scores = likeness[row[span]]
            for i in np.flatnonzero(scores >= cutoff).tolist():
                if i not in wanted:
                    wanted[i] = min_fit(i)
                bar = wanted[i]
                if bar is None:
                    continue
                fit = draft.gain(start, n, self.context.term_words(self.terms[i]))
                score = float(scores[i]) + weight * fit
                if fit > bar and score > best.get(i, -np.inf):
                    best[i] = score
        order = sorted(best, key=lambda i: (-best[i], i))
        return [(self.terms[i], best[i]) for i in order[: self.settings.max_terms]]


#: what an inflection (or a Latin plural) changes at a word's end: pain/pains, flag/flagged,
#: metastasis/metastases; "expensive" is not a form of "Expensify" (tails "ve" / "fy")
INFLECTION_TAILS = frozenset(("", "s", "es", "d", "ed", "ing", "e", "y", "ies", "ied", "is", "er", "ers", "ly"))


MIN_STEM = 4  # letters an inflected form shares with its stem at least


def _word_key(word: str) -> str:
    """A draft word as spans are matched: squashed, a looping stretch cut ("dapiglaflafla")."""
    return _LOOP.sub(r"\1", squash(word))[:MAX_WORD_CHARS]


def _heard(draft: str) -> tuple[set[str], dict[str, set[str]]]:
    """What a draft already spells, so a term needs no help: its squashed words and
    whitespace-separated tokens ("PD-1" -> pd1; "spliceo some" is not heard), and its words by
    their first MIN_STEM letters (an inflection shares them: "pains" when it heard "pain")."""
    heard_words = _words(draft)
    by_stem: dict[str, set[str]] = {}
    for word in heard_words:
        by_stem.setdefault(word[:MIN_STEM], set()).add(word)
    return heard_words | {squash(w) for w in draft.split()}, by_stem


def _inflection_of(key: str, words: set[str], min_stem: int = MIN_STEM) -> bool:
    """Whether a word is `key` with another inflectional ending (pain/pains,
    metastases/metastasis, flag/flagged) or number (BRCA/BRCA2)."""
    return bool(_inflections_of(key, words, min_stem))


def _inflections_of(key: str, words: set[str], min_stem: int = MIN_STEM) -> list[str]:
    """The words that are `key` with another inflectional ending or number (`_inflection_of`)."""
    found = []
    for word in words:
        stem = len(os.path.commonprefix((word, key)))
        if stem >= min_stem and _ending(word[stem:], word[stem - 1]) and _ending(key[stem:], key[stem - 1]):
            found.append(word)
    return found


def _ending(tail: str, last: str) -> bool:
    """An inflectional ending (after a doubled consonant: flag/flagged), or a number that makes
    one name of a family (BRCA/BRCA2): heard either way."""
    return tail.lstrip(last) in INFLECTION_TAILS or tail.isdigit()


def rare_in_general_english(term: str, max_zipf: float) -> bool:
    """Whether some word of `term` is rarer in general English than `max_zipf` (Zipf scale:
    log10 of occurrences per billion words; unlisted words are rarest)."""
    from jargonaut.lm.general import zipf

    return any((zipf(word) or 0.0) < max_zipf for word in _WORD.findall(term))


def unsure_terms_first(per_region: list[list[str]], window: list[str], limit: int) -> list[str]:
    """The terms of a window's prompt: the best match of each unsure region in turn, then each
    region's second best and so on, then the window's other matches (`window`, best first), no
    term twice and `limit` at most. A long window's best matches overall are often chance
    likenesses of words it heard surely ("seals" for "cells"), and they crowded out the term
    it misheard."""
    ordered: list[str] = []
    for rank in range(max((len(found) for found in per_region), default=0)):
        ordered += [found[rank] for found in per_region if rank < len(found) and found[rank] not in ordered]
    ordered += [term for term in window if term not in ordered]
    return ordered[:limit]


def looped(text: str, settings: BiasingSettings) -> bool:
    """Whether a decoded window repeats itself (faster-whisper's compression test)."""
    return len(text) > 40 and _compression_ratio(text) > settings.max_compression


# Pass 2's prompt lists the terms. Tried instead (session 49): sentences of the training text that
# contain them (a greedy cover, ~80 tokens, then the rest as a list): DEV per clip mean CLM WER
# 16 / 8 kHz 8.9 / 13.8 -> 9.3 / 13.7%; legal 8 kHz 16.4 -> 18.0% (Whisper takes up the sentences'
# other words).
def glossary(terms: list[str]) -> str:
    return " " + ", ".join(terms) + "."


def _compression_ratio(text: str) -> float:
    data = text.encode("utf-8")
    return len(data) / max(len(zlib.compress(data)), 1)


def _words(text: str) -> set[str]:
    return {squash(w) for w in _WORD.findall(text)}


def settled_text(text: str, settle: Settle | None) -> str:
    """`text` with each word that `settle` respells written as it will be in the transcript."""
    if settle is None:
        return text
    return _WORD.sub(lambda m: settle(m.group(0)) or m.group(0), text)


def introduces_term(first: str, second: str, terms: list[str], settle: Settle | None = None) -> bool:
    """Whether `second` spells a term, or an inflection of one ("metastasis" for
    "metastases"), that `first` does not; `settle`: `second`'s words as the transcript's
    respelling writes them (a near miss of a term counts as the term)."""
    second = settled_text(second, settle)
    one, two = squash(first), squash(second)
    new_words = _words(second) - _words(first)
    for term in terms:
        key = squash(term)
        if " " in term.strip() or "-" in term:
            if key in two and key not in one:
                return True
        elif key in new_words or _inflection_of(key, new_words):
            return True
    return False


#: a term rarer in general English than this (Zipf) is evidence pass 1 heard it, not chance
LOSS_MAX_ZIPF = 3.5


def loses_term(first: str, second: str, keys: frozenset[str], max_zipf: float = LOSS_MAX_ZIPF) -> bool:
    """Whether `first` spells a term (its squashed key in `keys`) rarer in general English than
    `max_zipf` that `second` spells in no form ("coolant" in "meets coolant", not in "weights
    cool up"). Common terms do not count ("mute" lost while "inhibition" and "warnings" are
    gained), nor does a word joined into a compound ("node local" -> "NodeLocal") or an
    inflection of it ("patch" -> "patched")."""
    from jargonaut.lm.general import zipf

    kept, joined = _words(second), squash(second)
    return any(word in keys and word not in joined and not _inflection_of(word, kept) and (zipf(word) or 0.0) < max_zipf
               for word in _words(first) - kept)


def accept_second_pass(first: str, second: str, first_logprob: float, second_logprob: float,
                       settings: BiasingSettings, terms: list[str] | None = None,
                       settle: Settle | None = None) -> bool:
    """False when pass 2 looks like the prompt derailed it (or changed nothing useful)."""
    if looped(first, settings):
        # Pass 1 looped (faster-whisper would resample it without the CLM): any sane
        # second pass is better.
        return not looped(second, settings)
    n1, n2 = len(first.split()), len(second.split())
    if n2 > n1 * (1 + settings.max_word_growth) + 2 or n2 < n1 * (1 - settings.max_word_shrink) - 2:
        return False
    if looped(second, settings):
        return False
    if settings.require_new_term and terms is not None and not introduces_term(first, second, terms, settle):
        return False
    return second_logprob >= first_logprob - settings.max_logprob_drop
