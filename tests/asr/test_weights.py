import numpy as np

from jargonaut.asr.decoder.weights import load_weights, read_model_bin


def test_model_bin_layout(model_dir):
    w = read_model_bin(f"{model_dir}/model.bin")
    assert int(w["decoder/num_heads"]) == 6
    assert w["decoder/embeddings/weight"].shape == (51864, 384)
    assert w["decoder/embeddings/weight"].dtype == np.float32
    assert w["decoder/position_encodings/encodings"].shape == (448, 384)
    assert w["decoder/layer_0/self_attention/linear_0/weight"].shape == (1152, 384)
    assert w["decoder/layer_3/attention/linear_1/weight"].shape == (768, 384)
    # the output projection is stored as an alias of the token embedding
    assert np.array_equal(w["decoder/projection/weight"], w["decoder/embeddings/weight"])
    assert "decoder/layer_4/ffn/linear_0/weight" not in w
    assert np.isfinite(w["decoder/layer_2/ffn/linear_1/weight"]).all()


def test_load_weights_is_cached(model_dir):
    assert load_weights(model_dir) is load_weights(model_dir)
