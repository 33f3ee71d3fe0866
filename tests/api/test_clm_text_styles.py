"""CLMs trained on text as users really have it (issue 12), through boto3 against a real server:
all-lower-case verbatim dialogue (aci-bench, the text a newcomer tried first) must not change
Whisper's casing or put fillers and stutters into the transcript, and names the text writes as one
CamelCase token must come out as one token, and numbers stay written as Whisper writes them. Test speech is synthesised with the Piper voice the
benchmarks use (short clips, so the tests stay fast)."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.request
import uuid
from pathlib import Path

import numpy as np
import pytest

from bench.synth_domain import WIDE_RATE, Voice, resample, write_wav
from tests.support.clm import create_role, read_policy, trust_policy, wait_for_model

REPO = Path(__file__).resolve().parents[2]
CLIPS = {
    "lungs": "Your lungs sound clear, no wheezes or rhonchi.",
    "start": "We'll start you on lisinopril ten milligrams a day.",
    "neck": "I listened to your neck and I don't hear any carotid bruits.",
    "visit": "Have you had any chest pain or shortness of breath since your last visit?",
    "checked": "So, um, we checked your blood pressure, uh, yesterday, and it was, you know, a little high.",
    "started": "And I, I started the new medication last week, and the headaches are better.",
    "ops": "Open the ClickHouse dashboard and check the PagerDuty alerts.",
    "mapping": "Push the branch to GitHub and ask Marta to review the OpenSearch mapping.",
    "seven": "I'd say it's about a seven out of ten.",
    "dose": "Take five milligrams twice a day for two weeks.",
}
DIALOGUE = ("lungs", "start", "neck", "visit", "checked", "started")
DRUGS_AND_SIGNS = ("rhonchi", "lisinopril", "bruits")  # aci-bench terms Whisper alone misspells
NUMBERS = ("seven", "dose")  # aci-bench writes "seven out of ten", "five milligrams"; Whisper digits
SPELLED = re.compile(r"\b(?:zero|one|two|three|four|five|six|seven|eight|nine|ten)\b", re.I)
FILLERS = re.compile(r"\b(?:um+|uh+|uhm|erm|hmm|you know)\b", re.I)
SENTENCE_START = re.compile(r"(?:^|[.?!]\s+)[\"'(]*([^\W\d_])")


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def stutters(text: str) -> int:
    words = re.findall(r"[\w']+", text.lower())
    return sum(a == b for a, b in zip(words, words[1:]))


@pytest.fixture(scope="module")
def styles(server, eval_dir, tmp_path_factory):
    """Two CLMs trained through the API (aci-bench dialogue as shipped; DevOps text with team
    notes) and the test clips in a media bucket."""
    tmp = tmp_path_factory.mktemp("styles")
    bucket = server.bucket("style-data")
    (bucket / "dialogue").mkdir(parents=True, exist_ok=True)
    (bucket / "ops").mkdir(parents=True, exist_ok=True)
    # The shipped file has one stray NUL byte, which training rightly refuses.
    raw = (eval_dir / "medical/lm-text/aci-bench-dialogues.txt").read_bytes()
    (bucket / "dialogue/aci-bench-dialogues.txt").write_bytes(raw.replace(b"\0", b""))
    (bucket / "ops/devops.txt").write_bytes((REPO / "bench/domains/devops/train.txt").read_bytes())
    (bucket / "ops/notes.txt").write_bytes((REPO / "tests/data/platform-team-notes.txt").read_bytes())
    account = server.credentials["account_id"]
    role = create_role(server.data_dir, tmp, "StyleCLMRole", trust_policy(account), read_policy("style-data"))
    client = server.client()
    names = {"dialogue": unique("dialogue"), "ops": unique("ops")}
    for prefix, name in names.items():
        client.create_language_model(LanguageCode="en-US", BaseModelName="WideBand", ModelName=name,
                                     InputDataConfig={"S3Uri": f"s3://style-data/{prefix}/", "DataAccessRoleArn": role})
    media = server.bucket("style-media")
    voice = Voice(threads=1)
    for clip, text in CLIPS.items():
        # no Piper noise: the same clip on every run (its random variation made a clip read
        # "click call" once in four runs)
        audio = resample(voice.speak(text, noise_scale=0.0, noise_w_scale=0.0), voice.rate, WIDE_RATE)
        write_wav(media / f"{clip}.wav", 0.9 * audio / max(1e-6, float(np.abs(audio).max())), WIDE_RATE)
    for name in names.values():
        model = wait_for_model(client, name, timeout=900)
        assert model["ModelStatus"] == "COMPLETED", model.get("FailureReason")
    return names


def transcripts(server, clips: tuple[str, ...], model: str | None) -> dict[str, str]:
    client = server.client()
    jobs = {}
    for clip in clips:
        jobs[clip] = unique(f"{clip}-{'clm' if model else 'plain'}")
        extra = {"ModelSettings": {"LanguageModelName": model}} if model else {}
        client.start_transcription_job(TranscriptionJobName=jobs[clip], LanguageCode="en-US",
                                       Media={"MediaFileUri": f"s3://style-media/{clip}.wav"}, **extra)
    out = {}
    for clip, job in jobs.items():
        done = server.wait_for_job(client, job, timeout=600)
        assert done["TranscriptionJobStatus"] == "COMPLETED", done.get("FailureReason")
        body = json.loads(urllib.request.urlopen(done["Transcript"]["TranscriptFileUri"]).read())
        out[clip] = body["results"]["transcripts"][0]["transcript"]
    return out


@pytest.fixture(scope="module")
def dialogue(server, styles) -> dict[str, dict[str, str]]:
    """The dialogue clips without and with the aci-bench CLM."""
    return {"plain": transcripts(server, DIALOGUE, None), "fused": transcripts(server, DIALOGUE, styles["dialogue"])}


@pytest.mark.slow
def test_lower_case_text_keeps_whisper_casing(server, styles, dialogue):
    """A CLM from all-lower-case dialogue fixes domain terms and leaves casing to Whisper."""
    plain, fused = dialogue["plain"], dialogue["fused"]
    print(plain, fused)
    fixed = [t for t in DRUGS_AND_SIGNS if t in " ".join(fused.values()).lower()]
    assert len(fixed) >= 2 and len(fixed) > len([t for t in DRUGS_AND_SIGNS if t in " ".join(plain.values()).lower()])
    for text in fused.values():
        starts = [m.group(1) for m in SENTENCE_START.finditer(text)]
        assert starts and all(c.isupper() for c in starts), text
        assert not re.search(r"\bi\b", text), text  # the pronoun stays "I"
    report = subprocess.run(
        [sys.executable, "-m", "jargonaut.cli", "models", "report", styles["dialogue"], "--json", "--endpoint-url",
         server.endpoint, "--data-dir", str(server.data_dir)], capture_output=True, text=True, timeout=60,
        env={**server.env, "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""})
    assert report.returncode == 0, report.stderr
    warnings = json.loads(report.stdout)["Report"]["warnings"]
    assert [w for w in warnings if "lower case" in w] and [w for w in warnings if "verbatim" in w], warnings


def last_word(text: str) -> str:
    words = re.findall(r"[\w']+", text.lower())
    return words[-1] if words else ""


@pytest.mark.slow
def test_a_clip_ends_where_its_speech_ends(dialogue):
    """A job's words end with the last word spoken: a window whose glossary pass was kept whole
    once ended in text without a timestamp, so faster-whisper (word timestamps) went on from the
    last word and decoded the clip's trailing silence as "Thank you."."""
    plain, fused = dialogue["plain"], dialogue["fused"]
    for clip in DIALOGUE:
        assert last_word(fused[clip]) in (last_word(plain[clip]), last_word(CLIPS[clip])), (plain[clip], fused[clip])


@pytest.mark.slow
def test_verbatim_text_adds_no_fillers_or_stutters(dialogue):
    """Verbatim training text (fillers, repeated words) must not make the transcript less clean
    than Whisper writes it, spoken hesitations included."""
    plain, fused = dialogue["plain"], dialogue["fused"]
    for clip in DIALOGUE:
        assert len(FILLERS.findall(fused[clip])) <= len(FILLERS.findall(plain[clip])), (plain[clip], fused[clip])
        assert stutters(fused[clip]) <= stutters(plain[clip]), (plain[clip], fused[clip])


@pytest.mark.slow
def test_camel_case_names_come_out_as_one_token(server, styles):
    """Names the text writes as one token ("ClickHouse", "OpenSearch") stay one token."""
    fused = transcripts(server, ("ops", "mapping"), styles["ops"])
    print(fused)
    assert "ClickHouse" in fused["ops"] and "OpenSearch" in fused["mapping"], fused
    text = " ".join(fused.values()).lower()
    assert "click house" not in text and "open search" not in text


@pytest.mark.slow
def test_numbers_stay_written_as_whisper_writes_them(server, styles):
    """aci-bench writes "seven out of ten" and "five milligrams"; Whisper writes these numbers as
    digits, and with that text's CLM the transcript still does."""
    plain, fused = transcripts(server, NUMBERS, None), transcripts(server, NUMBERS, styles["dialogue"])
    print(plain, fused)
    assert all(re.search(r"\d", text) for text in plain.values()), plain
    for clip in NUMBERS:
        assert len(SPELLED.findall(fused[clip])) <= len(SPELLED.findall(plain[clip])), (plain[clip], fused[clip])
