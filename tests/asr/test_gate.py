"""The do-no-harm gate (decoder/gate.py): a CLM judges text of its own domain as its own and
other speech as off-domain, against its own tuning perplexity."""
from __future__ import annotations

from jargonaut.asr.decoder.gate import domain_gate
from jargonaut.asr.decoder.internal_lm import DensityRatio
from jargonaut.asr.decoder.token_fusion import TokenFusion
from jargonaut.asr.options import FusionSettings
from jargonaut.lm.bpe import as_transcript, base_model_encoder

BIOMED = [
    "The patient started apixaban instead of warfarin after the procedure.",
    "Olaparib works best in tumors with BRCA2 mutations.",
]
CONVERSATION = [
    "Yeah, so I went for a walk yesterday and I just felt really dizzy, so my boyfriend drove me home.",
    "Okay, and when did the chest pain start? It started last night, but it's getting sharper.",
]


def test_gate_tells_the_clms_domain_from_other_speech(biomed_clm, model_dir):
    encode_many = base_model_encoder(model_dir)
    assert encode_many is not None

    def encode(text: str) -> list[int]:
        return encode_many([text])[0]

    eot = 50256
    scorer = TokenFusion(biomed_clm.token_model, 0.3, 0.0, encode, eot)
    margin = FusionSettings().off_domain_margin or 1.0
    gate = domain_gate(DensityRatio(scorer, 0.2, eot), biomed_clm, margin)  # found inside wrappers
    assert gate is not None and gate.scorer is scorer
    assert not any(gate.off_domain("", encode(as_transcript(text)), 4) for text in BIOMED)
    assert all(gate.off_domain("", encode(as_transcript(text)), 4) for text in CONVERSATION)
    # off unless asked for, and never without the CLM's tuning perplexity to judge by
    assert domain_gate(scorer, biomed_clm, None) is None
    assert domain_gate(scorer, object(), margin) is None
