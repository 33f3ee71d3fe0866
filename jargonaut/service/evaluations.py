"""Does my CLM help? (beyond Amazon) An evaluation transcribes audio + reference-text pairs from
an S3 prefix twice, as ordinary transcription jobs of the account (general model, and with the
CLM), then scores both with the WER harness: WER both ways, per file, the relative reduction with
its 95% interval (a paired bootstrap over the files: whether the difference is more than which
files happened to be picked), and the model's domain terms the CLM fixed or broke. The record is
a small JSON file; the numbers come from the jobs."""
from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from jargonaut.domain.transcription_jobs import StartTranscriptionJob
from jargonaut.errors import BadRequestError, JargonautError, NotFoundError
from jargonaut.evaluate.metrics import _count, normalise, score_file
from jargonaut.evaluate.significance import PairedComparison, compare
from jargonaut.service.buckets import Buckets, Caller
from jargonaut.service.language_models import LanguageModels
from jargonaut.service.transcription_jobs import TranscriptionJobs
from jargonaut.service.workdirs import JOB_PREFIX, work_dir
from jargonaut.storage.objects import ObjectAccessDenied, ObjectNotFound, ObjectRef, parse_uri

AUDIO_SUFFIXES = (".wav", ".flac", ".mp3", ".mp4", ".m4a", ".ogg", ".webm", ".amr")
MAX_FILES = 25  # each file is two jobs; more belongs in `jargonaut eval`
MAX_REFERENCE_BYTES = 1_000_000
DONE = ("COMPLETED", "FAILED")


@dataclass(frozen=True)
class TermChange:
    term: str
    occurrences: int  # in the references
    general_hits: int
    custom_hits: int


@dataclass(frozen=True)
class FileResult:
    key: str
    reference: str
    general: str | None
    custom: str | None
    general_wer: float | None
    custom_wer: float | None
    failure: str | None


@dataclass(frozen=True)
class EvaluationResult:
    id: str
    model_name: str
    prefix: str
    created: float
    jobs_total: int
    jobs_done: int
    files: list[FileResult]
    general_wer: float | None
    custom_wer: float | None
    fixed: list[TermChange]
    broken: list[TermChange]
    comparison: PairedComparison | None  # the CLM against the general model, files transcribed both ways

    @property
    def finished(self) -> bool:
        return self.jobs_done == self.jobs_total


class Evaluations:
    def __init__(self, data_dir: Path, jobs: TranscriptionJobs, language_models: LanguageModels,
                 buckets: Buckets) -> None:
        self.data_dir = data_dir
        self.jobs = jobs
        self.language_models = language_models
        self.buckets = buckets

    def start(self, account_id: str, region: str, model_name: str, prefix_uri: str) -> str:
        model = self.language_models.describe(account_id, region, model_name)
        if model.status != "COMPLETED":
            raise BadRequestError(f"The language model {model_name} is {model.status}; evaluate it once it is COMPLETED.")
        prefix = parse_uri(prefix_uri) if prefix_uri.startswith("s3://") and prefix_uri.count("/") > 2 else None
        if prefix is None:
            raise BadRequestError(f"The URI {prefix_uri!r} is not valid. Use the form s3://bucket-name/prefix/.")
        pairs = self._pairs(account_id, prefix)
        evaluation_id = secrets.token_hex(4)
        files: list[dict[str, Any]] = []
        for index, (audio, reference) in enumerate(pairs):
            names = {kind: f"eval-{evaluation_id}-{index:02d}-{kind}" for kind in ("general", "custom")}
            general = StartTranscriptionJob(names["general"], audio.uri, model.language_code)
            self.jobs.start(account_id, region, general)
            self.jobs.start(account_id, region, replace(general, name=names["custom"], language_model_name=model_name))
            files.append({"key": audio.key, "reference": reference, "jobs": names})
        record = {"id": evaluation_id, "model_name": model_name, "prefix": prefix_uri, "created": time.time(),
                  "files": files}
        self.jobs.files.write(self._key(account_id, region, model_name, evaluation_id), json.dumps(record).encode())
        return evaluation_id

    def of_model(self, account_id: str, region: str, model_name: str) -> list[dict[str, Any]]:
        folder = self._key(account_id, region, model_name, "x").rsplit("/", 1)[0] + "/"
        records = [json.loads(self.jobs.files.read(key)) for key in self.jobs.files.keys(folder) if key.endswith(".json")]
        return sorted(records, key=lambda r: -r["created"])

    def result(self, account_id: str, region: str, model_name: str, evaluation_id: str) -> EvaluationResult:
        try:
            if not evaluation_id.isalnum():
                raise ObjectNotFound(evaluation_id)
            record = json.loads(self.jobs.files.read(self._key(account_id, region, model_name, evaluation_id)))
        except ObjectNotFound as exc:
            raise NotFoundError(f"The evaluation {evaluation_id} of {model_name} couldn't be found.") from exc
        try:
            domain_terms = self.language_models.report(account_id, region, model_name)["DomainTerms"]
        except JargonautError:  # retrained since, or deleted: the WERs still stand
            domain_terms = []
        terms = [t for t in {normalise(term) for term in domain_terms} if t]
        files, done, general_pairs, custom_pairs = [], 0, [], []
        tally: dict[str, list[int]] = {}
        for item in record["files"]:
            texts, failures = {}, []
            for kind, job_name in item["jobs"].items():
                text, failure, finished = self._job_text(account_id, region, job_name)
                done += finished
                texts[kind] = text
                if failure:
                    failures.append(f"{kind}: {failure}")
            scores = {k: score_file(item["key"], item["reference"], t) if t is not None else None for k, t in texts.items()}
            if scores["general"] and scores["custom"]:
                general_pairs.append(scores["general"])
                custom_pairs.append(scores["custom"])
                _tally_terms(tally, terms, item["reference"], texts["general"] or "", texts["custom"] or "")
            files.append(FileResult(item["key"], item["reference"], texts["general"], texts["custom"],
                                    scores["general"].wer if scores["general"] else None,
                                    scores["custom"].wer if scores["custom"] else None, "; ".join(failures) or None))
        changes = [TermChange(term, n, g, c) for term, (n, g, c) in tally.items()]
        return EvaluationResult(
            record["id"], model_name, record["prefix"], record["created"], 2 * len(record["files"]), done, files,
            _wer(general_pairs), _wer(custom_pairs),
            sorted((t for t in changes if t.custom_hits > t.general_hits), key=lambda t: t.general_hits - t.custom_hits),
            sorted((t for t in changes if t.custom_hits < t.general_hits), key=lambda t: t.custom_hits - t.general_hits),
            compare(general_pairs, custom_pairs) if general_pairs else None,
        )

    # ---- helpers -----------------------------------------------------------------------------
    def _pairs(self, account_id: str, prefix: ObjectRef) -> list[tuple[ObjectRef, str]]:
        view = self.buckets.view(Caller.account(account_id))
        try:
            keys = {info.key for info in view.list(prefix.bucket, prefix.key)}
        except (ObjectNotFound, ObjectAccessDenied) as exc:
            raise BadRequestError(f"s3://{prefix.bucket}/{prefix.key} can't be listed ({exc}).") from exc
        audio = sorted(k for k in keys if k.lower().endswith(AUDIO_SUFFIXES) and _stem(k) + ".txt" in keys)
        if not audio:
            raise BadRequestError(
                f"s3://{prefix.bucket}/{prefix.key} has no audio files with a reference transcript beside them "
                "(name.wav with name.txt)."
            )
        if len(audio) > MAX_FILES:
            raise BadRequestError(f"The prefix has {len(audio)} audio files; evaluate at most {MAX_FILES} at once.")
        pairs = []
        with work_dir(self.data_dir, JOB_PREFIX, self.jobs.node.id) as scratch:  # the node's scratch: see workdirs
            for key in audio:
                target = Path(scratch) / "reference.txt"
                view.download(ObjectRef(prefix.bucket, _stem(key) + ".txt"), target)
                if target.stat().st_size > MAX_REFERENCE_BYTES:
                    raise BadRequestError(f"The reference s3://{prefix.bucket}/{_stem(key)}.txt is over 1 MB.")
                pairs.append((ObjectRef(prefix.bucket, key), target.read_text(encoding="utf-8", errors="replace")))
        return pairs

    def _job_text(self, account_id: str, region: str, job_name: str) -> tuple[str | None, str | None, bool]:
        """(transcript text, failure reason, finished) of one of the evaluation's jobs."""
        try:
            job = self.jobs.get(account_id, region, job_name)
        except NotFoundError:
            return None, "the job was deleted", True
        status = job.status
        if status == "FAILED":
            return None, job.failure_reason, True
        if status != "COMPLETED":
            return None, None, False
        try:
            body = json.loads(self.jobs.transcript_bytes(account_id, region, job_name))
        except JargonautError as exc:
            return None, exc.message, True
        return " ".join(t["transcript"] for t in body["results"]["transcripts"]), None, True

    @staticmethod
    def _key(account_id: str, region: str, model_name: str, evaluation_id: str) -> str:
        """The record among the service's files (DATA_DIR or the S3 service bucket, like transcripts);
        "m-" keeps a model named "." or ".." (the API's pattern allows them) a plain folder name."""
        return f"evaluations/{account_id}/{region}/m-{model_name}/{evaluation_id}.json"


def _stem(key: str) -> str:
    return key.rsplit(".", 1)[0]


def _wer(scores: list[Any]) -> float | None:
    words = sum(s.words for s in scores)
    return sum(s.errors for s in scores) / words if words else None


def _tally_terms(tally: dict[str, list[int]], terms: list[str], reference: str, general: str, custom: str) -> None:
    ref, gen, cus = (normalise(t).split() for t in (reference, general, custom))
    for term in terms:
        words = term.split()
        occurrences = _count(ref, words)
        if occurrences:
            entry = tally.setdefault(term, [0, 0, 0])
            entry[0] += occurrences
            entry[1] += min(occurrences, _count(gen, words))
            entry[2] += min(occurrences, _count(cus, words))
