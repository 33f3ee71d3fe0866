"""Real-time transcription page: Chromium's fake microphone plays a WAV into the page, which
streams it over the pre-signed WebSocket and shows partial and final results."""
from __future__ import annotations

import re

import numpy as np
import pytest
from playwright.sync_api import expect

from jargonaut.asr.audio import decode
from tests.console.browser import launch, save_screenshots, sign_in
from tests.console.test_evaluate import completed_model
from tests.support.media import encode

pytestmark = pytest.mark.slow


def words(text: str) -> list[str]:
    return re.sub(r"[^a-z' ]", " ", text.lower()).split()


@pytest.fixture
def microphone_wav(tmp_path, eval_dir):
    """The clip with a second of silence either side, so the VAD sees speech start and end."""
    samples = decode(eval_dir / "biomed-tts/wav16/test_000.wav", rate=16000)
    silence = np.zeros(16000, dtype=np.float32)
    return encode(np.concatenate([silence, samples, silence, silence]), 16000, tmp_path / "mic.wav", "wav", "pcm_s16le")


@pytest.mark.parametrize("with_clm", [False, True], ids=["general", "clm"])
def test_microphone_streams_and_shows_a_final_result(console_server, playwright, microphone_wav, eval_dir, request,
                                                     with_clm):
    model = completed_model(console_server) if with_clm else None
    browser = launch(playwright, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                     f"--use-file-for-fake-audio-capture={microphone_wav}%noloop",
                     "--autoplay-policy=no-user-gesture-required")
    context = browser.new_context()
    context.grant_permissions(["microphone"], origin=console_server.endpoint)
    page = context.new_page()
    try:
        sign_in(page, console_server.endpoint, console_server.credentials)
        page.get_by_role("link", name="Real-time transcription").first.click()
        expect(page.get_by_role("heading", name="Real-time transcription")).to_be_visible()
        if model:
            page.get_by_label("Custom language model").select_option(model)
        sockets = []
        page.on("websocket", lambda socket: sockets.append(socket.url))
        page.get_by_role("button", name="Start streaming").click()
        expect(page.get_by_role("status")).to_have_text("Streaming — speak now.")
        final = page.locator("#rt-finals .final")
        expect(final.first).to_be_visible(timeout=120_000)
        page.get_by_role("button", name="Stop streaming").click()
        expect(page.get_by_role("status")).to_have_text("Stream closed.", timeout=60_000)
        expect(page.locator("#rt-error")).to_be_hidden()
        assert len(sockets) == 1 and "/stream-transcription-websocket?" in sockets[0]
        assert ("language-model-name=" + model in sockets[0]) if model else ("language-model-name" not in sockets[0])
        heard = words(page.locator("#rt-finals").inner_text())
        reference = words((eval_dir / "biomed-tts/test.tsv").read_text().splitlines()[0].split("\t", 1)[1])
        common = set(heard) & set(reference)
        assert len(common) >= len(set(reference)) // 2, (heard, reference)
    except BaseException:
        save_screenshots([page], request.node.name)
        raise
    finally:
        context.close()
        browser.close()


def test_stream_url_is_refused_without_the_csrf_token(console_server, context):
    page = context.new_page()
    sign_in(page, console_server.endpoint, console_server.credentials)
    refused = page.request.post(console_server.endpoint + "/console/realtime/url", form={"language": "en-US"})
    assert refused.status == 403
    page.goto(console_server.endpoint + "/console/realtime")
    token = page.locator("#realtime").get_attribute("data-csrf")
    bad = page.request.post(console_server.endpoint + "/console/realtime/url", headers={"X-CSRF-Token": token},
                            form={"language": "xx-XX", "sample_rate": "16000"})
    ok = page.request.post(console_server.endpoint + "/console/realtime/url", headers={"X-CSRF-Token": token},
                           form={"language": "en-US", "sample_rate": "16000"})
    assert ok.status == 200 and "X-Amz-Signature=" in ok.json()["url"]
    assert console_server.credentials["secret_access_key"] not in ok.text()
    assert bad.status == 400 and "xx-XX" in bad.json()["error"]  # the stream endpoint's own parameter check
