"""Without a CLM our decoder must reproduce CTranslate2's own search (float32 model)."""
import numpy as np
import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def window(jfk_float32):
    from faster_whisper.tokenizer import Tokenizer
    from faster_whisper.transcribe import get_suppressed_tokens

    from tests.asr.parts import FusedWhisper

    whisper, decoder, vocab, encoded = jfk_float32
    tok = Tokenizer(whisper.hf_tokenizer, False, task="transcribe", language="en")
    kw = dict(
        length_penalty=1, max_length=448, return_scores=True, return_no_speech_prob=True,
        suppress_blank=True, suppress_tokens=list(get_suppressed_tokens(tok, [-1])),
        max_initial_timestamp_index=50, patience=1,
    )
    return whisper.model, FusedWhisper(whisper.model, decoder, vocab, None), encoded, kw


@pytest.mark.parametrize("beam", [1, 5])
@pytest.mark.parametrize("prompt", [[50257, 50362], [50257]], ids=["notimestamps", "timestamps"])
def test_tokens_equal_ctranslate2(window, beam, prompt):
    ct2, ours, encoded, kw = window
    want = ct2.generate(encoded, [prompt], beam_size=beam, **kw)[0]
    got = ours.generate(encoded, [prompt], beam_size=beam, **kw)[0]
    if beam == 5 and 50362 in prompt:
        # Without timestamps (unused by long-form decoding) CTranslate2 ranks its finished
        # beams slightly differently; measured 7/12 clips identical, the rest differ by
        # punctuation or one word. Require a result at least about as likely.
        assert got.scores[0] >= want.scores[0] - 0.05
        return
    assert got.sequences_ids[0] == want.sequences_ids[0]
    assert abs(got.scores[0] - want.scores[0]) < 1e-3
    assert abs(got.no_speech_prob - want.no_speech_prob) < 1e-4


def _ct2_step_logits(ct2, encoded, prompt) -> np.ndarray:
    # greedy decoding with return_logits_vocab gives CTranslate2's raw step logits
    res = ct2.generate(encoded, [prompt], beam_size=1, return_logits_vocab=True, max_length=8,
                       suppress_blank=False, suppress_tokens=[])[0]
    return np.array(res.logits[0][0]).reshape(-1)


@pytest.mark.parametrize("backend", ["numpy", "onnxruntime"])
def test_raw_logits_match(window, model_dir, backend):
    from jargonaut.asr.decoder.model import WhisperDecoder
    from jargonaut.asr.decoder.onnx_step import OrtWhisperDecoder
    from jargonaut.asr.decoder.weights import load_weights

    ct2, _, encoded, _ = window
    ct2_logits = _ct2_step_logits(ct2, encoded, [50257, 50362])
    weights = load_weights(model_dir)
    dec = WhisperDecoder(weights) if backend == "numpy" else OrtWhisperDecoder(weights, "float32")
    cache = dec.new_cache(1)
    ours = dec.forward(np.array([[50257, 50362]]), cache, dec.cross_kv(np.array(encoded)[0]))[0]
    assert np.abs(ours - ct2_logits[: ours.shape[0]]).max() < 1e-3


def test_int8_decoder_tracks_ctranslate2_int8(eval_dir, model_dir):
    """Our int8 graph is a quantised Whisper at least as faithful as CTranslate2's int8.

    Why not compare the two int8 decoders directly: they quantise differently (ours: weights
    and activations in blocks of 32; CTranslate2: per row), and int8 GEMM kernels differ per
    instruction set (AVX2 vs AVX-512/VNNI), so a fixed tolerance between them is fitted to one
    CPU (0.5 held on AVX-512 and failed at 0.517 on an AVX2-only EPYC). What holds on any CPU:
    - both are perturbations of the same float32 model, which test_raw_logits_match pins to
      CTranslate2's float32 within 1e-3; we measure each one's error against it, on this CPU;
    - ours is no further from float32 than the peer's int8 (top-5 log-probabilities);
    - where float32's top-1 margin exceeds twice the peer's int8 error (so int8 noise of that
      size cannot flip the choice), our greedy token is float32's, and so is CTranslate2's.
    Near-ties ("," vs ".") may go either way under either quantisation and are not judged.
    """
    from faster_whisper import WhisperModel

    from jargonaut.asr.audio import decode
    from jargonaut.asr.decoder.model import WhisperDecoder, log_softmax
    from jargonaut.asr.decoder.onnx_step import OrtWhisperDecoder
    from jargonaut.asr.decoder.weights import load_weights

    whisper = WhisperModel(model_dir, device="cpu", compute_type="int8", cpu_threads=2)
    audio = decode(eval_dir / "general" / "audio" / "jfk.flac")
    feats = whisper.feature_extractor(audio)[:, :3000]
    encoded = whisper.encode(np.pad(feats, ((0, 0), (0, 3000 - feats.shape[1])))[None])
    ct2 = whisper.model.generate(encoded, [[50257, 50362]], beam_size=1, return_logits_vocab=True,
                                 max_length=30, suppress_blank=False, suppress_tokens=[])[0]
    weights = load_weights(model_dir)
    tokens = [50257, 50362] + ct2.sequences_ids[0]
    steps = len(ct2.sequences_ids[0])

    def teacher_forced(dec) -> list[np.ndarray]:
        """Log-probabilities at each step of CTranslate2's greedy sequence."""
        cache, cross = dec.new_cache(1), dec.cross_kv(np.array(encoded)[0])
        out = [dec.forward(np.array([tokens[:2]]), cache, cross)[0]]
        for step in range(steps - 1):
            out.append(dec.forward(np.array([[tokens[2 + step]]]), cache, cross)[0])
        return [log_softmax(o) for o in out]

    reference = teacher_forced(WhisperDecoder(weights))  # float32
    ours = teacher_forced(OrtWhisperDecoder(weights, "int8"))
    vocab = reference[0].shape[0]
    peer = [log_softmax(np.array(w).reshape(-1)[:vocab]) for w in ct2.logits[0][:steps]]

    def error(lp: list[np.ndarray]) -> np.ndarray:
        return np.array([np.abs(lp[i][top] - reference[i][top]).max()
                         for i, top in enumerate(np.argsort(r)[-5:] for r in reference)])

    ours_error, peer_error = error(ours), error(peer)
    assert ours_error.max() <= peer_error.max(), (ours_error.max(), peer_error.max())
    margins = np.array([np.diff(np.sort(r)[-2:])[0] for r in reference])
    decided = margins > 2 * peer_error.max()
    assert decided.sum() >= steps // 2, (margins, peer_error.max())  # the check must judge most steps
    for i in np.flatnonzero(decided):
        assert np.argmax(ours[i]) == np.argmax(reference[i]) == np.argmax(peer[i]), i
