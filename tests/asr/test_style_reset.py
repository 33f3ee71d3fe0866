"""A run-on window does not pass its style on (fused.FusedGenerator, `run_on_reset_words`).

faster-whisper conditions each 30 s window on the text before it, and Whisper copies that
text's style. A fused window that came out as one long unpunctuated run (a conversational
CLM's sparse punctuation winning a close call) made every later window of the recording a
run-on too: medical dev MSK0001 fell from 158 sentence ends (plain) to 39. Such previous text
is no prompt any more; its words stay the CLM's context."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from jargonaut.asr.decoder.fused import longest_run_on

pytestmark = pytest.mark.slow

RUN_ON = (" so we talked about the weather and then he said you know i think we should go and then we went"
          " to the shop and bought some bread and milk and then we came back home and sat down and talked for"
          " a while about nothing much and then it was late")


def test_longest_run_on_counts_words_between_sentence_ends():
    assert longest_run_on("Node.js 3.5 is out. Did it ship? Yes! It did") == 4
    assert longest_run_on(RUN_ON) == len(RUN_ON.split())
    assert longest_run_on("") == 0


def test_a_run_on_previous_window_is_no_prompt(eval_dir, biomed_clm):
    from faster_whisper.tokenizer import Tokenizer
    from faster_whisper.transcribe import get_suppressed_tokens

    from jargonaut.asr.audio import decode
    from tests.asr.parts import engine

    e = engine()
    base = e.base_models["WideBand"]
    fusion = e.options.fusion_for(base)
    assert fusion.run_on_reset_words is not None and longest_run_on(RUN_ON) >= fusion.run_on_reset_words
    view = e._model(base, biomed_clm, e.options.decode, fusion, None, 1)
    vocab = e.parts(base.model, e.options.decode.compute_type, e.options.decode.cpu_threads).vocab
    audio = decode(eval_dir / "general" / "audio" / "jfk.flac")
    feats = view.feature_extractor(audio)[:, :3000]
    encoded = view.encode(np.pad(feats, ((0, 0), (0, 3000 - feats.shape[1])))[None])
    tok = Tokenizer(view.hf_tokenizer, False, task="transcribe", language="en")
    kw = dict(beam_size=5, max_length=448, suppress_blank=True, patience=1, max_initial_timestamp_index=50,
              suppress_tokens=list(get_suppressed_tokens(tok, [-1])))
    assert vocab.encode is not None and vocab.sot_prev is not None and vocab.no_timestamps is not None
    run_on = [vocab.sot_prev, *vocab.encode(RUN_ON), vocab.sot, vocab.no_timestamps]

    def text(generator) -> str:
        tokens = generator.generate(encoded, [run_on], **kw)[0].sequences_ids[0]
        return vocab.decode([t for t in tokens if t < vocab.eot]).strip()

    reset = text(view.model)
    assert reset.startswith("And so my fellow Americans") and reset.endswith(".")
    # the premise: conditioned on the run-on, the same window is written otherwise (on this
    # machine lower case and without its stop: "and so my fellow Americans ... your country")
    kept = e._model(base, biomed_clm, e.options.decode, dataclasses.replace(fusion, run_on_reset_words=None), None, 1)
    assert text(kept.model) != reset
