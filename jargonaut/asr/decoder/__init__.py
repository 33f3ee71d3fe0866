"""Our own Whisper decoder: a decoder step (NumPy or ONNX Runtime) over CTranslate2's encoder,
with fused scorers (CLM, internal LM).

weights (model.bin) -> model / onnx_step (decoder + KV cache) -> hypothesis, fusion (seams)
-> search (filters, beam expansion, ranker) -> fused (`FusedGenerator`, what faster-whisper's
long-form loop calls). `jargonaut.asr.engine` is what uses it.
"""
