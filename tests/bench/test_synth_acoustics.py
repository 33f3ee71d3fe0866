"""The synthetic domains' acoustic effects (bench/synth_domain.py): seeded, in range, as documented;
Piper's own generator noise seeded per clip."""
from __future__ import annotations

import numpy as np

from bench.synth_domain import (
    LENGTH_SCALE,
    NOISE_SCALE,
    SNR_DB,
    Acoustics,
    Voice,
    apply_acoustics,
    clip_rng,
    draw_acoustics,
    piper_seed,
    room_impulse_response,
)

RATE = 16000


def tone(seconds: float = 1.0) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)


def test_draws_are_seeded_per_clip_and_in_range():
    first = [draw_acoustics("legal", f"test_{i:03d}", 12) for i in range(40)]
    again = [draw_acoustics("legal", f"test_{i:03d}", 12) for i in reversed(range(40))][::-1]
    assert first == again  # same conditions whatever the order clips are made in
    assert first != [draw_acoustics("legal", f"test_{i:03d}", 13) for i in range(40)]
    for a in first:
        assert a.length_scale is not None and LENGTH_SCALE[0] <= a.length_scale <= LENGTH_SCALE[1]
        assert a.noise_scale is not None and NOISE_SCALE[0] <= a.noise_scale <= NOISE_SCALE[1]
        assert a.snr_db is not None and SNR_DB[0] <= a.snr_db <= SNR_DB[1]
    assert len({a.rt60 is None for a in first}) == 2  # some clips dry, some reverberant


def test_noise_is_added_at_the_drawn_snr():
    dry = tone()
    for kind in ("pink", "white"):
        wet = apply_acoustics(dry, RATE, Acoustics(snr_db=15.0, noise=kind), np.random.default_rng(1))
        noise = wet.astype(np.float64) - dry
        snr = 10 * np.log10(np.mean(dry.astype(np.float64) ** 2) / np.mean(noise**2))
        assert abs(snr - 15.0) < 0.05


def test_room_response_decays_and_keeps_the_direct_path():
    rir = room_impulse_response(RATE, rt60=0.5, drr_db=6.0, rng=np.random.default_rng(2))
    assert rir[0] == 1.0 and len(rir) == int(0.5 * RATE)
    tail = rir[1:]
    assert abs(10 * np.log10(1.0 / np.sum(tail**2)) - 6.0) < 1e-6
    tenth = len(tail) // 10
    assert np.sum(tail[:tenth] ** 2) > 1000 * np.sum(tail[-tenth:] ** 2)  # the tail decays (~47 dB between first and last tenth)
    wet = apply_acoustics(tone(), RATE, Acoustics(rt60=0.5, drr_db=6.0), clip_rng("x", "y", 1))
    assert len(wet) == len(tone()) + len(rir) - 1


def test_plain_conditions_leave_audio_untouched():
    dry = tone()
    assert np.array_equal(apply_acoustics(dry, RATE, Acoustics(), np.random.default_rng(0)), dry)


def test_piper_noise_is_seeded_per_clip():
    """A clip re-made later, after other speech, is the same clip (Piper's own noise included)."""
    voice = Voice(threads=1)
    text = "Torque the caliper bolts."
    seed = piper_seed("automotive", "test_001", 12)
    first = voice.speak(text, 1.0, 0.8, seed=seed)
    voice.speak("Something else first.", 1.1, 0.6, seed=piper_seed("automotive", "test_002", 12))
    voice.speak(text, 1.0, 0.8)  # the shared session draws on
    assert np.array_equal(voice.speak(text, 1.0, 0.8, seed=seed), first)
    other = voice.speak(text, 1.0, 0.8, seed=piper_seed("automotive", "test_001", 13))
    assert other.shape != first.shape or not np.array_equal(other, first)  # the noise is the seed's
