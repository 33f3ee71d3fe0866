"""How a piece of text sounds, coarsely: the key that lets a draft's everyday words find the
domain term they are a mishearing of.

Whisper mishears a term as words that sound like it, whatever their spelling: "finals" for
Thanos, "Ketta" for KEDA, "posters" for Postgres, "cameras" for Camry. A key made from the
spelling (`biasing.sound_key`) misses those where letters and sounds part ("th", silent
letters, vowels spelled alike but said apart). Here espeak-ng (its library and English data
ship inside the `piper-tts` wheel, so it runs offline) turns text into IPA, and the IPA is
folded into classes that Whisper confuses on real audio: voiced and voiceless pairs (b/p,
d/t, g/k, v/f/th), the sibilants, the nasals, and every vowel run as one "a"; stress, length
and "h" are dropped. Then "finals" is f-a-n-a-l-s and "Thanos" f-a-n-a-s, while their
spelling keys differ in four letters. (Keeping m apart from n and "h" as a class was tried on
the DEV domains: fewer chance matches in conversation, but also fewer terms found.)
"""
from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import Any

_CLASSES = {ch: cls for chars, cls in (
    ("pb", "p"), ("tdɾ", "t"), ("kɡgq", "k"), ("fvθð", "f"), ("szʃʒ", "s"), ("mnŋɲ", "n"), ("lɫ", "l"),
    ("ɹrʁ", "r"), ("wʍ", "w"), ("j", "j"), ("xh", ""),
) for ch in chars}
_SILENT = frozenset("ˈˌːˑʲ \u0303\u0329\u032f-")  # stress, length, palatalisation, nasal/syllabic marks, spaces
_VOWEL_RUNS = re.compile(r"a+")
# Keys shorter than this sound like too much: "OK" and "achy" are both a-k-a.
MIN_KEY = 4
# espeak-ng is one C library with global state (voice, buffers): one caller at a time, as
# several jobs and streams decode in threads of one process.
_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _phonemizer() -> Any:
    from piper.phonemize_espeak import EspeakPhonemizer

    return EspeakPhonemizer()


@lru_cache(maxsize=1 << 16)
def phone_key(text: str) -> str:
    """The coarse sound classes of `text` (one or more words) as a string, e.g. "fanals"
    for "finals" and "fanas" for "Thanos"."""
    if not text.strip():
        return ""
    with _LOCK:
        sentences = _phonemizer().phonemize("en-us", text)
    out = []
    for phoneme in (p for sentence in sentences for p in sentence):
        if phoneme in _SILENT:
            continue
        cls = _CLASSES.get(phoneme)
        if cls is None:
            # a vowel, or punctuation espeak keeps ("," "."): only vowels are letters here
            cls = "a" if phoneme.isalpha() else ""
        out.append(cls)
    return _VOWEL_RUNS.sub("a", "".join(out))
