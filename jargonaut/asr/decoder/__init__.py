"""Our own Whisper decoder: NumPy decoder over CTranslate2's encoder, with CLM shallow fusion.

weights (model.bin) → model (decoder + KV cache) → search (filters, fusion, beam) →
transcribe (long-form loop, word timings).
"""
from jargonaut.asr.decoder.transcribe import FusionSettings, default_fusion, fused_whisper, recognize_fused

__all__ = ["FusionSettings", "default_fusion", "fused_whisper", "recognize_fused"]
