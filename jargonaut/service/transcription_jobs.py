"""Transcription jobs: validation, the QUEUED → IN_PROGRESS → COMPLETED | FAILED machine,
leases (several nodes on one database; see leases.py), resumption after a crash, output files
(published under the lease's fencing token, see `_publish`)."""
from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import Engine, and_, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from jargonaut.asr import audio as audio_io
from jargonaut.asr import subtitles
from jargonaut.asr.alternatives import segment_alternatives
from jargonaut.asr.base_models import BaseModel, band_for_rate, whisper_language
from jargonaut.asr.diarization import speaker_of_words
from jargonaut.asr.engine import SpeechEngine
from jargonaut.asr.speaker_encoder import EncoderUnavailable, weights_path
from jargonaut.asr.speaker_labels import apply_speaker_labels, pronunciation_spans
from jargonaut.asr.transcript import (
    alternative_segments,
    apply_vocabulary_filter,
    build_channel_transcript,
    build_transcript,
)
from jargonaut.asr.vocabulary import apply_display_as, vocabulary_phrases
from jargonaut.domain.members import from_members, to_members
from jargonaut.domain.transcription_jobs import (
    ListTranscriptionJobs,
    StartTranscriptionJob,
    TranscriptionJob,
    TranscriptionJobPage,
    TranscriptionJobSummary,
)
from jargonaut.errors import (
    BadRequestError,
    ConflictError,
    JargonautError,
    LimitExceededError,
    MediaError,
    NotFoundError,
)
from jargonaut.executor.base import Executor, ExecutorClosed, WorkerLost, WorkItem
from jargonaut.service import leases
from jargonaut.service.artefacts import PINNED_MODEL
from jargonaut.service.buckets import Buckets, Caller
from jargonaut.service.leases import Node
from jargonaut.service.media import check_media, fetch_media
from jargonaut.service.output import CUSTOMER_BUCKET, OutputLocation, beside, resolve_output
from jargonaut.service.pagination import list_page, next_seq
from jargonaut.service.tags import tags_dict, tags_list
from jargonaut.service.workdirs import JOB_PREFIX, without_paths, work_dir
from jargonaut.storage.objects import InvalidKey, ObjectAccessDenied, ObjectNotFound, ObjectRef, ObjectStore, parse_uri
from jargonaut.storage.service_files import LocalServiceFiles, ServiceFiles
from jargonaut.store.tables import transcription_jobs as jobs

log = logging.getLogger(__name__)

QUEUED, IN_PROGRESS, COMPLETED, FAILED = "QUEUED", "IN_PROGRESS", "COMPLETED", "FAILED"
FILTER_WORDS = "_VocabularyFilterWords"  # internal request member: the filter's words when the job started
VOCABULARY = "_VocabularyEntries"  # internal request member: the custom vocabulary's entries when the job started
MAX_ATTEMPTS = 3  # a job that kills the server this often is failed, not retried forever
MAX_TRANSCRIPT_CHECK_BYTES = 64 * 1024**2  # bigger objects are never taken for a transcript of ours

# Request members we cannot honour: refuse them clearly rather than ignore them.
_UNSUPPORTED = {
    "ContentRedaction": "content redaction",
    "ToxicityDetection": "toxicity detection",
    "IdentifyMultipleLanguages": "multi-language identification",
    "LanguageIdSettings": "per-language settings for language identification",
    "JobExecutionSettings": "job queueing settings",
    "OutputEncryptionKMSKeyId": "KMS output encryption",
    "KMSEncryptionContext": "KMS output encryption",
}
_UNSUPPORTED_SETTINGS: dict[str, str] = {}
MAX_SPEAKER_LABELS = (2, 30)  # Amazon's range


# (account_id, region, job name[, extension]) -> the pre-signed URL of a file this service stores for a job
TranscriptUrl = Callable[..., str]


class TranscriptionJobs:
    def __init__(
        self,
        engine: Engine,
        store: ObjectStore,
        data_dir: Path,
        base_models: dict[str, BaseModel],
        submit: Callable[..., Any],
        language_models: Any | None = None,  # service.language_models.LanguageModels
        max_pending: int = 250,
        buckets: Buckets | None = None,
        vocabulary_filters: Any | None = None,  # service.vocabulary_filters.VocabularyFilters
        vocabularies: Any | None = None,  # service.vocabularies.Vocabularies
        node: Node | None = None,
        *,
        speech: SpeechEngine,
        executor: Executor | None = None,
        files: ServiceFiles | None = None,
    ) -> None:
        self.engine = engine
        self.speech = speech  # recognises the audio (the services' one engine)
        self.store = store
        self.data_dir = data_dir
        self.base_models = base_models
        self.submit = submit
        self.language_models = language_models
        self.max_pending = max_pending
        self.buckets = buckets or Buckets(engine, store)
        self.vocabulary_filters = vocabulary_filters
        self.vocabularies = vocabularies
        self.node = node or Node("local", 30.0)
        self.executor = executor  # where a claimed job runs; None: in this thread
        self.files: ServiceFiles = files or LocalServiceFiles(data_dir)  # our transcripts and subtitle files

    # ---- API operations -------------------------------------------------------------
    def start(self, account_id: str, region: str, start: StartTranscriptionJob) -> TranscriptionJob:
        name = start.name
        # The job's record keeps Transcribe's member names (rows of older versions read the same).
        request: dict[str, Any] = to_members(start)
        self._check_supported(request)
        request["LanguageCode"] = self._language(request)
        if not (request.get("Media") or {}).get("MediaFileUri"):  # the model leaves both Media members optional
            raise BadRequestError("Media.MediaFileUri is required: give the s3:// URI of the audio to transcribe.")
        parse_uri(request["Media"]["MediaFileUri"])
        output = resolve_output(name, account_id, region, request.get("OutputBucketName"), request.get("OutputKey"))
        formats = _subtitle_formats(request)
        if output.ref is not None:
            self._check_output(account_id, output.ref, name)
            for subtitle_format in formats:
                self._check_output(account_id, beside(output, subtitle_format).ref, name, beside_transcript=output.ref)
        self._check_alternatives(request)
        self._check_speaker_labels(request)
        self._pin_filter(account_id, region, request)
        vocabulary = (request.get("Settings") or {}).get("VocabularyName")
        if vocabulary:
            if self.vocabularies is None:
                raise BadRequestError("Settings.VocabularyName: custom vocabularies are not available on this server.")
            request[VOCABULARY] = self.vocabularies.entries_for_job(account_id, region, vocabulary, request["LanguageCode"])
        model_name = (request.get("ModelSettings") or {}).get("LanguageModelName")
        if model_name:
            if self.language_models is None:
                raise BadRequestError("Custom language models are not available on this server.")
            # Checked now for a clear error; the artefact key is pinned in the insert's transaction.
            self.language_models.usable(account_id, region, model_name, request["LanguageCode"])
        now = time.time()
        with self.engine.begin() as conn:
            seq = next_seq(conn, jobs)  # first: its row lock makes the count below exact across nodes
            pending = conn.execute(select(func.count()).select_from(jobs).where(and_(
                jobs.c.account_id == account_id, jobs.c.status.in_((QUEUED, IN_PROGRESS))))).scalar()
            if pending >= self.max_pending:
                raise LimitExceededError(
                    f"You have {pending} transcription jobs queued or in progress, the limit of this server. "
                    "Wait for some to finish and try again."
                )
            if model_name and self.language_models is not None:
                # The job decodes this artefact version, whatever happens to the model later.
                request[PINNED_MODEL] = self.language_models.pin(conn, account_id, region, model_name,
                                                                 request["LanguageCode"])
            try:
                conn.execute(
                    insert(jobs).values(
                        account_id=account_id,
                        region=region,
                        name=name,
                        status=QUEUED,
                        seq=seq,
                        created_at=now,
                        request=json.dumps(request),
                        language_model_name=model_name,
                        output_location=json.dumps(_location_json(output)),
                        output_location_type=output.kind,
                        attempts=0,
                        tags=json.dumps(tags_dict(request.get("Tags"))),
                        lease_owner=self.node.id,  # queued here; another node takes it if this one dies
                        lease_expires=self.node.expiry(),
                        fence=0,
                    )
                )
            except IntegrityError as exc:
                raise ConflictError(
                    f"The requested job name {name} already exists. Use a different job name."
                ) from exc
        log.info("job %s (account %s, %s) QUEUED", name, account_id, region)
        self.submit(self.run, account_id, region, name, 0)
        return self.get(account_id, region, name)

    def get(self, account_id: str, region: str, name: str, transcript_url: TranscriptUrl | None = None) -> TranscriptionJob:
        row = self._row(account_id, region, name)
        job = _job_description(row, self._transcript_uri(row, transcript_url))
        request = json.loads(row.request)
        if request.get("Subtitles"):
            job["Subtitles"] = self._subtitles_output(row, request["Subtitles"], transcript_url)
        return from_members(TranscriptionJob, job)

    def list(self, account_id: str, region: str, request: ListTranscriptionJobs) -> TranscriptionJobPage:
        page, token = list_page(self.engine, jobs, account_id, region, request.status, request.name_contains,
                                request.max_results, request.next_token)
        return TranscriptionJobPage(tuple(from_members(TranscriptionJobSummary, _job_summary(r)) for r in page),
                                    request.status or None, token)

    def delete(self, account_id: str, region: str, name: str) -> None:
        """Delete the job; one in progress is cancelled: its worker sees the row gone, writes
        nothing and lets its model's artefact go itself (so it can't vanish under it)."""
        row = self._row(account_id, region, name)
        with self.engine.begin() as conn:
            conn.execute(delete(jobs).where(_key(account_id, region, name)))
        log.info("job %s (account %s, %s) deleted%s", name, account_id, region,
                 " while in progress: cancelled" if row.status == IN_PROGRESS else "")
        location = json.loads(row.output_location or "{}")
        for key in _service_paths(location):
            self.files.delete(key)
        self._delete_attempt(location)
        if row.status != IN_PROGRESS:
            self._release_artefact(json.loads(row.request))

    @staticmethod
    def _check_alternatives(request: dict[str, Any]) -> None:
        settings = request.get("Settings") or {}
        if bool(settings.get("ShowAlternatives")) != bool(settings.get("MaxAlternatives")):
            raise BadRequestError("Settings.ShowAlternatives and Settings.MaxAlternatives must be given together "
                                  "(ShowAlternatives true, MaxAlternatives 2 to 10).")
        if settings.get("ShowAlternatives") and settings.get("ChannelIdentification"):
            raise BadRequestError("Settings.ShowAlternatives can't be combined with Settings.ChannelIdentification "
                                  "on this server.")

    @staticmethod
    def _check_speaker_labels(request: dict[str, Any]) -> None:
        settings = request.get("Settings") or {}
        show, most = settings.get("ShowSpeakerLabels"), settings.get("MaxSpeakerLabels")
        if most is not None and not show:
            raise BadRequestError("Settings.MaxSpeakerLabels needs Settings.ShowSpeakerLabels set to true.")
        if not show:
            return
        if most is None:
            raise BadRequestError("Settings.ShowSpeakerLabels needs Settings.MaxSpeakerLabels (2 to 30).")
        low, high = MAX_SPEAKER_LABELS
        if not isinstance(most, int) or not low <= most <= high:
            raise BadRequestError(f"Settings.MaxSpeakerLabels must be from {low} to {high}; got {most}.")
        if settings.get("ChannelIdentification"):  # Amazon refuses the pair too
            raise BadRequestError("Settings.ShowSpeakerLabels and Settings.ChannelIdentification can't be used "
                                  "together: choose speaker labels or channel identification.")
        try:
            weights_path()
        except EncoderUnavailable as exc:
            raise BadRequestError(f"Settings.ShowSpeakerLabels: speaker labels are not available on this server ({exc}).") from exc

    def _pin_filter(self, account_id: str, region: str, request: dict[str, Any]) -> None:
        """A job filters with the words its filter had at Start (updates and deletes don't reach it)."""
        settings = request.get("Settings") or {}
        name, method = settings.get("VocabularyFilterName"), settings.get("VocabularyFilterMethod")
        if not name and not method:
            return
        if not (name and method):
            raise BadRequestError("Settings.VocabularyFilterName and Settings.VocabularyFilterMethod must be given together.")
        if self.vocabulary_filters is None:
            raise BadRequestError("Settings.VocabularyFilterName: vocabulary filters are not available on this server.")
        request[FILTER_WORDS] = self.vocabulary_filters.words_for_job(account_id, region, name, request["LanguageCode"])

    def _release_artefact(self, request: dict[str, Any]) -> None:
        """The job no longer holds its CLM version: remove it if nothing else refers to it."""
        if self.language_models is not None and request.get(PINNED_MODEL):
            self.language_models.collect_unused()

    def service_file(self, account_id: str, region: str, name: str, extension: str = "json") -> bytes:
        """The service-stored transcript (json) or subtitle file (srt, vtt) of a completed job."""
        row = self._row(account_id, region, name)
        location = json.loads(row.output_location or "{}")
        stored = location.get("path") and (extension == "json" or extension in location.get("subtitles", []))
        if row.status != COMPLETED or not stored:
            kind = "transcript" if extension == "json" else f"{extension} subtitle file"
            raise NotFoundError(f"The {kind} of {name} is not stored by this service.")
        try:
            return self.files.read(_with_extension(location, extension)["path"])
        except ObjectNotFound as exc:
            raise NotFoundError(f"The {extension} file of {name} is gone; the job was deleted meanwhile.") from exc

    def running(self) -> int:
        """Jobs QUEUED or IN_PROGRESS, in every account (the shutdown log line counts them)."""
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(jobs)
                                .where(jobs.c.status.in_((QUEUED, IN_PROGRESS)))).scalar() or 0

    def transcript_bytes(self, account_id: str, region: str, name: str, extension: str = "json") -> bytes:
        """The finished transcript JSON (or an srt/vtt subtitle file beside it) wherever it was written
        (ours, or the account's bucket)."""
        row = self._row(account_id, region, name)
        if row.status != COMPLETED:
            raise NotFoundError(f"The job {name} is {row.status}; its transcript exists once it is COMPLETED.")
        location = json.loads(row.output_location or "{}")
        if extension != "json" and extension not in location.get("subtitles", []):
            raise NotFoundError(f"The job {name} has no {extension} subtitle file.")
        found = _with_extension(location, extension)
        if found.get("path"):
            return self.files.read(found["path"])
        return self._read_object(account_id, ObjectRef(found["bucket"], found["key"]))

    def media_bytes(self, account_id: str, region: str, name: str) -> bytes:
        """The job's input audio, read with the account's own access (for playback)."""
        row = self._row(account_id, region, name)
        return self._read_object(account_id, parse_uri(json.loads(row.request)["Media"]["MediaFileUri"]))

    def _read_object(self, account_id: str, ref: ObjectRef) -> bytes:
        with work_dir(self.data_dir, JOB_PREFIX, self.node.id) as scratch:
            target = Path(scratch) / "object"
            try:
                self.buckets.view(Caller.account(account_id)).download(ref, target)
            except (ObjectNotFound, ObjectAccessDenied) as exc:
                raise NotFoundError(f"{ref.uri} can't be read ({exc}).") from exc
            return target.read_bytes()

    # ---- recovery and execution --------------------------------------------------------
    def recover(self) -> int:
        """At start: take back what this node held before it stopped, and take over work whose
        lease lapsed; a live node's jobs stay with it. Returns how many were queued here."""
        return self._take_over(including_own=True)

    def take_over_lapsed(self) -> int:
        """Heartbeat: run the jobs of nodes that stopped renewing their leases."""
        return self._take_over(including_own=False)

    def renew_leases(self) -> int:
        with self.engine.begin() as conn:
            return leases.renew(conn, jobs, self.node, (QUEUED, IN_PROGRESS))

    def give_up_leases(self) -> int:
        with self.engine.begin() as conn:
            return leases.give_up(conn, jobs, self.node, (QUEUED, IN_PROGRESS))

    def _take_over(self, including_own: bool) -> int:
        with self.engine.begin() as conn:
            taken = leases.take_over(conn, jobs, self.node, (QUEUED, IN_PROGRESS), QUEUED, including_own)
        for row in taken:
            if not including_own:
                log.info("job %s (account %s, %s) taken over: its node's lease lapsed", row.name, row.account_id,
                         row.region)
            self.submit(self.run, row.account_id, row.region, row.name, row.fence)
        return len(taken)

    def run(self, account_id: str, region: str, name: str, fence: int) -> None:
        """Worker entry point: claims the job if this node still holds it with `fence` (a claim
        raises the token), so a job queued twice, or taken over meanwhile, runs once."""
        with self.engine.begin() as conn:
            claimed = conn.execute(
                update(jobs)
                .where(and_(_key(account_id, region, name), jobs.c.status == QUEUED, leases.held_by(jobs, self.node, fence)))
                .values(status=IN_PROGRESS, started_at=func.coalesce(jobs.c.started_at, time.time()),
                        attempts=jobs.c.attempts + 1, fence=jobs.c.fence + 1, lease_expires=self.node.expiry())
            ).rowcount
            row = conn.execute(select(jobs).where(_key(account_id, region, name))).first()
        if not claimed or row is None:
            return  # deleted, or another worker or node has it
        try:
            if row.attempts > MAX_ATTEMPTS:
                self._finish(row, FAILED, "The job was interrupted too many times while running; start it again.")
            else:
                log.info("job %s (account %s, %s) IN_PROGRESS, attempt %d", name, account_id, region, row.attempts)
                self._execute(row)
        finally:
            self._after_run(row)

    def _after_run(self, row: Any) -> None:
        """Say so if the job went on to another holder; let the CLM version go if nothing needs it."""
        with self.engine.connect() as conn:
            current = conn.execute(select(jobs.c.status, jobs.c.fence).where(and_(
                _key(row.account_id, row.region, row.name), jobs.c.seq == row.seq))).first()
        if current is not None and current.fence != row.fence:
            log.info("job %s (account %s, %s): lease lost while it ran; the node that took it over writes the "
                     "result", row.name, row.account_id, row.region)
        self._release_artefact(json.loads(row.request))

    def _run(self, row: Any) -> None:
        try:
            self._transcribe(row)
        except JargonautError as exc:
            self._finish(row, FAILED, exc.message)
        except Exception as exc:  # noqa: BLE001 - a job must end FAILED, never stay IN_PROGRESS
            if not self._holds(row):
                log.info("job %s was deleted, or taken over, while it ran", row.name)  # e.g. its model link went with it
                return
            log.exception("job %s failed", row.name)
            self._finish(row, FAILED, f"Internal failure while transcribing ({type(exc).__name__}); the server log has the details.")

    def _execute(self, row: Any) -> None:
        """Run the claimed job on the executor; this node's heartbeat keeps the lease meanwhile."""
        if self.executor is None:
            self._run(row)
            return
        try:
            where = self.executor.transcribe(WorkItem(row.account_id, row.region, row.name, row.fence))
        except ExecutorClosed:
            return  # shutting down: the job stays leased to this node until it is taken over
        except WorkerLost as exc:
            log.warning("job %s (account %s, %s): its worker was lost: %s", row.name, row.account_id, row.region, exc)
            if self._holds(row):
                self._finish(row, FAILED, "The worker running the job was lost several times; start the job again.")
            return
        if where:
            log.info("job %s (account %s, %s) ran on %s", row.name, row.account_id, row.region, where)

    def run_claimed(self, account_id: str, region: str, name: str, fence: int) -> None:
        """Executor entry point (any process): run the job claimed with `fence` if that claim still holds."""
        with self.engine.connect() as conn:
            row = conn.execute(select(jobs).where(and_(_key(account_id, region, name), jobs.c.status == IN_PROGRESS,
                                                       leases.held_by(jobs, self.node, fence)))).first()
        if row is not None:
            self._run(row)

    def _transcribe(self, row: Any) -> None:
        request = json.loads(row.request)
        with work_dir(self.data_dir, JOB_PREFIX, self.node.id) as tmp:
            media = Path(tmp) / "media"
            fetch_media(self.buckets.view(Caller.account(row.account_id)), request["Media"]["MediaFileUri"], media)
            info = check_media(media, request.get("MediaFormat"), request.get("MediaSampleRateHertz"))
            self._record_media(row, request, info)
            base = self.base_models[band_for_rate(info.sample_rate)]
            language_model = self._language_model(row, request, info.sample_rate)
            by_channel = bool((request.get("Settings") or {}).get("ChannelIdentification"))
            channels = audio_io.decode_channels(media) if by_channel else [audio_io.decode(media)]
        if by_channel and len(channels) != 2:
            raise MediaError(
                "Channel identification needs audio with two channels (e.g. agent and caller); this file has one. "
                "Start the job without Settings.ChannelIdentification."
            )
        began = time.monotonic()
        if request.get("IdentifyLanguage"):
            self._identify(row, request, base, channels[0])
        phrases = vocabulary_phrases(request.get(VOCABULARY) or [])
        recognitions = []
        for samples in channels:
            if not self._holds(row):
                return  # deleted (cancelled) while the media was fetched or a channel recognised, or the lease lost
            recognitions.append(self.speech.recognize(samples, base, language_model, phrases=phrases,
                                                      language=whisper_language(request.get("LanguageCode") or "en-US")))
        if by_channel:
            transcript = build_channel_transcript(row.name, row.account_id, recognitions)
        else:
            transcript = build_transcript(row.name, row.account_id, recognitions[0])
            max_alternatives = (request.get("Settings") or {}).get("MaxAlternatives")
            if max_alternatives:
                alternatives = segment_alternatives(self.speech.batch_model(base), channels[0], recognitions[0],
                                                    max_alternatives, lead_in_s=self.speech.options.lead_in_s)
                transcript["results"]["segments"] = alternative_segments(recognitions[0].segments, alternatives)
        if request.get("IdentifyLanguage"):  # where Amazon's transcript names the identified language
            transcript["results"]["language_code"] = request["LanguageCode"]
            transcript["results"]["language_identification"] = [
                {"score": f"{request['IdentifiedLanguageScore']:.4f}", "code": request["LanguageCode"]}]
        if request.get(VOCABULARY):
            apply_display_as(transcript, request[VOCABULARY])
        if request.get(FILTER_WORDS):
            apply_vocabulary_filter(transcript, request[FILTER_WORDS], request["Settings"]["VocabularyFilterMethod"])
        max_speakers = (request.get("Settings") or {}).get("MaxSpeakerLabels")
        if max_speakers and not by_channel:  # last: speakers are given to the final items (after DisplayAs)
            apply_speaker_labels(transcript, speaker_of_words(channels[0], pronunciation_spans(transcript), max_speakers))
        if not self._holds(row):
            return  # cancelled (or the lease lost) during recognition: write nothing
        outputs = {"json": json.dumps(transcript, ensure_ascii=False).encode(), **_subtitle_files(request, transcript)}
        self._publish(row, outputs, audio_s=len(channels[0]) / audio_io.TARGET_RATE, work_s=time.monotonic() - began)

    def _publish(self, row: Any, outputs: dict[str, bytes], audio_s: float, work_s: float) -> None:
        """Write the result so that only the job's holder publishes it, exactly once: (1) the
        files go under keys of this attempt (`attempts/.../<seq>-<fence>/<job>.<ext>`); (2) the database
        records that attempt as the job's result only if this worker still holds the job with its
        fencing token; (3) then the files are copied to the output location from the attempt the
        database names, so a worker that stalls after (2) and wakes after a takeover copies the new
        holder's bytes; (4) COMPLETED, fenced again; (5) the attempt's files are removed."""
        # "<name>." + extension: a job named "." or ".." still makes a plain last segment.
        attempt = f"attempts/{row.account_id}/{row.region}/{row.seq}-{row.fence}/{row.name}."
        for extension, body in outputs.items():
            self.files.write(attempt + extension, body)
        location = json.loads(row.output_location)
        subtitle_formats = sorted(e for e in outputs if e != "json")
        if subtitle_formats:
            location["subtitles"] = subtitle_formats  # like Amazon, none when nothing was said
        location["attempt"] = attempt
        with self.engine.begin() as conn:
            published = conn.execute(update(jobs).where(and_(
                _key(row.account_id, row.region, row.name), jobs.c.seq == row.seq, jobs.c.status == IN_PROGRESS,
                leases.held_by(jobs, self.node, row.fence))).values(output_location=json.dumps(location))).rowcount
        if not published:
            self._delete_attempt(location)
            log.info("job %s (account %s, %s): not published, the job was deleted or taken over", row.name,
                     row.account_id, row.region)
            return
        self._copy_published(row)
        final = {k: v for k, v in location.items() if k != "attempt"}
        done = self._finish(row, COMPLETED, None, audio_s=audio_s, work_s=work_s, location=final)
        if not done and not self._exists(row):
            self._remove_output(final)  # deleted between the write and now: leave nothing behind
        self._delete_attempt(location)
        if done:  # attempts of this job that a crashed worker wrote and never published
            folder = f"attempts/{row.account_id}/{row.region}/"
            for key in [k for k in self.files.keys(folder) if k[len(folder):].startswith(f"{row.seq}-")]:
                self.files.delete(key)

    def _copy_published(self, row: Any) -> None:
        """Copy the attempt the database names as the job's result to the output location."""
        with self.engine.connect() as conn:
            current = conn.execute(select(jobs.c.output_location).where(and_(
                _key(row.account_id, row.region, row.name), jobs.c.seq == row.seq))).scalar()
        location = json.loads(current or "{}")
        if not location.get("attempt"):
            return  # deleted, or completed by its holder already
        try:
            bodies = {e: self.files.read(location["attempt"] + e) for e in ["json", *location.get("subtitles", [])]}
        except ObjectNotFound:
            return  # its holder completed it and removed the attempt: the output is in place
        for extension, body in bodies.items():
            self._write_output(row, _with_extension(location, extension), body,
                               beside_transcript=None if extension == "json" else _with_extension(location, "json"))

    def _delete_attempt(self, location: dict[str, Any]) -> None:
        if location.get("attempt"):
            for extension in ["json", *subtitles.FORMATS]:
                self.files.delete(location["attempt"] + extension)

    def _record_media(self, row: Any, request: dict[str, Any], info: Any) -> None:
        """Like Amazon, report the detected format and rate when the request left them out."""
        request.setdefault("MediaFormat", info.media_format)
        request.setdefault("MediaSampleRateHertz", info.sample_rate)
        with self.engine.begin() as conn:
            conn.execute(
                update(jobs)
                .where(and_(_key(row.account_id, row.region, row.name), leases.held_by(jobs, self.node, row.fence)))
                .values(request=json.dumps(request))
            )

    def _language_model(self, row: Any, request: dict[str, Any], sample_rate: int) -> Any:
        if not request.get(PINNED_MODEL) or self.language_models is None:
            return None
        return self.language_models.load_pinned(request[PINNED_MODEL], sample_rate)

    def _subtitles_output(self, row: Any, settings: dict[str, Any], transcript_url: Callable[..., str] | None) -> dict[str, Any]:
        output: dict[str, Any] = {"Formats": settings.get("Formats", []), "OutputStartIndex": settings.get("OutputStartIndex", 0)}
        location = json.loads(row.output_location or "{}")
        if row.status != COMPLETED or not location.get("subtitles"):
            return output
        if row.output_location_type == CUSTOMER_BUCKET:
            uris = [self.store.public_uri(ObjectRef(**_with_extension(location, f))) for f in location["subtitles"]]
        elif transcript_url is not None:
            uris = [transcript_url(row.account_id, row.region, row.name, f) for f in location["subtitles"]]
        else:
            uris = []
        if uris:
            output["SubtitleFileUris"] = uris
        return output

    def _write_output(self, row: Any, location: dict[str, Any], body: bytes,
                      beside_transcript: dict[str, Any] | None = None) -> None:
        if location.get("path"):
            self.files.write(location["path"], body)
            return
        ref = ObjectRef(location["bucket"], location["key"])
        transcript_ref = ObjectRef(beside_transcript["bucket"], beside_transcript["key"]) if beside_transcript else None
        # The bucket may have changed since Start.
        problem = self._output_problem(row.account_id, ref, row.name, transcript_ref)
        if problem:
            raise MediaError(problem)
        try:
            self.buckets.view(Caller.account(row.account_id)).upload(ref, body)
        except (ObjectNotFound, ObjectAccessDenied) as exc:
            raise MediaError(
                f"The transcript could not be written to {ref.uri} ({exc}). Check that the output bucket exists "
                "and is writable."
            ) from exc

    def _remove_output(self, location: dict[str, Any]) -> None:
        for key in _service_paths(location):
            self.files.delete(key)
        if location.get("bucket"):
            for extension in ["json", *location.get("subtitles", [])]:
                self.store.delete(ObjectRef(**_with_extension(location, extension)))

    def _check_output(self, account_id: str, ref: ObjectRef, job_name: str, beside_transcript: ObjectRef | None = None) -> None:
        """Amazon checks the output location at StartTranscriptionJob; so do we."""
        try:
            self.buckets.authorize(Caller.account(account_id), "s3:PutObject", ref.bucket, ref.key)
        except ObjectNotFound as exc:
            raise BadRequestError(
                f"The specified S3 bucket {ref.bucket} doesn't exist. Check OutputBucketName and try your request again."
            ) from exc
        except ObjectAccessDenied as exc:
            raise BadRequestError(
                f"You don't have write permission to the specified output location {ref.uri}: {exc}."
            ) from exc
        problem = self._output_problem(account_id, ref, job_name, beside_transcript)
        if problem:
            raise BadRequestError(problem)

    def _output_problem(self, account_id: str, ref: ObjectRef, job_name: str,
                        beside_transcript: ObjectRef | None = None) -> str | None:
        """Why the job can't write `ref`; a subtitle file is judged with its transcript (`beside_transcript`)."""
        try:
            self.store.check_writable(ref)
        except InvalidKey as exc:
            return f"The output location {ref.uri} can't hold the transcript: {exc} Choose another OutputKey."
        if (self.buckets.owner(ref.bucket) != account_id and self.store.exists(ref)
                and not self._is_own_transcript(beside_transcript or ref, account_id, job_name)):
            return (
                f"An object already exists at {ref.uri} in a bucket of another account; a job replaces existing "
                "objects only in its own account's buckets. Choose another OutputKey."
            )
        return None

    def _is_own_transcript(self, ref: ObjectRef, account_id: str, job_name: str) -> bool:
        """Is the object this job's earlier transcript (a job resumed after a crash rewrites it)?"""
        try:
            size = next((o.size for o in self.store.list(ref.bucket, ref.key) if o.key == ref.key), None)
        except (ObjectNotFound, ObjectAccessDenied):
            return False
        if size is None or size > MAX_TRANSCRIPT_CHECK_BYTES:
            return False  # not worth reading: no transcript of ours is that large
        with work_dir(self.data_dir, JOB_PREFIX, self.node.id) as tmp:
            local = Path(tmp) / "existing.json"
            try:
                self.store.download(ref, local)
                existing = json.loads(local.read_bytes())
            except (ObjectNotFound, ObjectAccessDenied, ValueError):
                return False
        return isinstance(existing, dict) and existing.get("jobName") == job_name and existing.get("accountId") == account_id

    def _exists(self, row: Any) -> bool:
        """Is this very job (not a new one that reuses its name) still there?"""
        with self.engine.connect() as conn:
            return conn.execute(select(jobs.c.seq).where(and_(
                _key(row.account_id, row.region, row.name), jobs.c.seq == row.seq))).first() is not None

    def _holds(self, row: Any) -> bool:
        """Does this worker still hold this very job (not deleted, lease not lost)?"""
        with self.engine.connect() as conn:
            return conn.execute(select(jobs.c.seq).where(and_(
                _key(row.account_id, row.region, row.name), jobs.c.seq == row.seq,
                leases.held_by(jobs, self.node, row.fence)))).first() is not None

    def _finish(self, row: Any, status: str, reason: str | None, audio_s: float = 0.0, work_s: float = 0.0,
                location: dict[str, Any] | None = None) -> bool:
        """Record the outcome (and log it) if this worker still holds the job with its fencing token;
        False if the job was deleted or taken over meanwhile. Reasons never name server paths."""
        completed_at = time.time()
        reason = without_paths(reason, self.data_dir) if reason else None
        with self.engine.begin() as conn:
            done = bool(conn.execute(
                update(jobs)
                .where(and_(_key(row.account_id, row.region, row.name), jobs.c.seq == row.seq,
                            jobs.c.status == IN_PROGRESS, leases.held_by(jobs, self.node, row.fence)))
                .values(status=status, failure_reason=reason, completed_at=completed_at,
                        **({"output_location": json.dumps(location)} if location is not None else {}))
            ).rowcount)
        took = completed_at - (row.started_at or row.created_at)
        if done and status == COMPLETED:
            log.info("job %s (account %s, %s) COMPLETED in %.1f s: %.1f s of audio, RTF %.2f%s", row.name,
                     row.account_id, row.region, took, audio_s, work_s / audio_s if audio_s else 0.0,
                     f", CLM {row.language_model_name}" if row.language_model_name else "")
        elif done:
            log.info("job %s (account %s, %s) %s after %.1f s: %s", row.name, row.account_id, row.region, status,
                     took, reason)
        return done

    # ---- helpers -------------------------------------------------------------------------
    def _row(self, account_id: str, region: str, name: str) -> Any:
        with self.engine.connect() as conn:
            row = conn.execute(select(jobs).where(_key(account_id, region, name))).first()
        if row is None:
            raise NotFoundError("The requested job couldn't be found. Check the job name and try your request again.")
        return row

    def _transcript_uri(self, row: Any, transcript_url: TranscriptUrl | None) -> str | None:
        if row.status != COMPLETED:
            return None
        location = json.loads(row.output_location or "{}")
        if row.output_location_type == CUSTOMER_BUCKET:
            return self.store.public_uri(ObjectRef(location["bucket"], location["key"]))
        return transcript_url(row.account_id, row.region, row.name) if transcript_url else None

    @staticmethod
    def _check_supported(request: dict[str, Any]) -> None:
        for member, feature in _UNSUPPORTED.items():
            if request.get(member):
                raise BadRequestError(f"{member}: {feature} is not supported by this server.")
        for member, feature in _UNSUPPORTED_SETTINGS.items():
            if (request.get("Settings") or {}).get(member):
                raise BadRequestError(f"Settings.{member}: {feature} is not supported by this server.")

    def _language(self, request: dict[str, Any]) -> str | None:
        """The job's LanguageCode; None when the job identifies it (checked here, identified when it runs)."""
        supported = {code for base in self.base_models.values() for code in base.languages}
        code = request.get("LanguageCode")
        if code and request.get("IdentifyLanguage"):
            raise BadRequestError("Specify either LanguageCode or IdentifyLanguage, not both.")
        if request.get("IdentifyLanguage"):
            _check_identification(request, supported)
            return None
        if not code:
            raise BadRequestError("You must specify LanguageCode or set IdentifyLanguage to true.")
        if code not in supported:
            raise BadRequestError(
                f"The language code {code} is not supported by the installed base models; supported: {', '.join(sorted(supported))}."
            )
        return code

    def _identify(self, row: Any, request: dict[str, Any], base: BaseModel, samples: Any) -> None:
        """IdentifyLanguage: the language among the job's options (or all the base model speaks),
        recorded on the job as Amazon reports it (LanguageCode, IdentifiedLanguageScore)."""
        options = request.get("LanguageOptions") or base.languages
        candidates = [c for c in options if c in base.languages]
        if len({whisper_language(c) for c in base.languages}) < 2 or not candidates:
            raise MediaError(
                f"IdentifyLanguage: the {base.name} base model that serves this audio's sample rate cannot identify "
                f"among {', '.join(options)}; start the job with a LanguageCode instead.")
        code, score = self.speech.detect_language(samples, base, candidates)
        request["LanguageCode"], request["IdentifiedLanguageScore"] = code, round(score, 4)
        with self.engine.begin() as conn:
            conn.execute(
                update(jobs)
                .where(and_(_key(row.account_id, row.region, row.name), leases.held_by(jobs, self.node, row.fence)))
                .values(request=json.dumps(request))
            )
        log.info("job %s (account %s, %s): identified %s (score %.2f)", row.name, row.account_id, row.region,
                 code, score)


def _check_identification(request: dict[str, Any], supported: set[str]) -> None:
    """IdentifyLanguage as Amazon takes it: LanguageOptions (if given) of 2+ supported codes; a
    CLM, custom vocabulary or filter only through LanguageIdSettings (which this server refuses)."""
    # Telling languages apart needs a multilingual base model; English variants (en-US vs en-GB)
    # are one language to Whisper, so "identifying" among them would be a guess.
    if len({whisper_language(c) for c in supported}) < 2:
        raise BadRequestError(
            "IdentifyLanguage: language identification needs a multilingual base model, and the installed "
            f"base models speak only {', '.join(sorted(supported))}. Set LanguageCode instead.")
    for member, path in (("ModelSettings", "ModelSettings"), ("VocabularyName", "Settings.VocabularyName"),
                         ("VocabularyFilterName", "Settings.VocabularyFilterName")):
        given = request.get(member) if member == "ModelSettings" else (request.get("Settings") or {}).get(member)
        if given:
            raise BadRequestError(
                f"{path} needs a LanguageCode: with IdentifyLanguage, Amazon Transcribe takes it per language in "
                "LanguageIdSettings, which this server does not support. Set LanguageCode instead of IdentifyLanguage.")
    options = request.get("LanguageOptions")
    if options is None:
        return
    if len(options) < 2:
        raise BadRequestError("LanguageOptions must list at least two language codes for IdentifyLanguage.")
    unsupported = [c for c in options if c not in supported]
    if unsupported:
        raise BadRequestError(
            f"LanguageOptions: {', '.join(unsupported)} is not supported by the installed base models; "
            f"supported: {', '.join(sorted(supported))}.")
    languages = [whisper_language(c) for c in options]
    if len(set(languages)) < len(languages):
        raise BadRequestError(
            "LanguageOptions may list only one variant of each language (e.g. not both en-US and en-GB): "
            "the base model identifies the language, not the variant.")


def _key(account_id: str, region: str, name: str) -> Any:
    """One job: names are unique per account and region, as in Amazon."""
    return and_(jobs.c.account_id == account_id, jobs.c.region == region, jobs.c.name == name)


def _subtitle_formats(request: dict[str, Any]) -> list[str]:
    formats = (request.get("Subtitles") or {}).get("Formats") or []
    unknown = [f for f in formats if f not in subtitles.FORMATS]
    if unknown:
        raise BadRequestError(
            f"1 validation error detected: Value '{unknown[0]}' at 'Subtitles.Formats' failed to satisfy constraint: "
            f"Member must satisfy enum value set: [{', '.join(subtitles.FORMATS)}]"
        )
    if request.get("Subtitles") and not formats:
        raise BadRequestError("Subtitles.Formats must name at least one format: srt or vtt.")
    return sorted(set(formats))


def _subtitle_files(request: dict[str, Any], transcript: dict[str, Any]) -> dict[str, bytes]:
    """Subtitle files for the transcript, by format; like Amazon, none when nothing was said."""
    settings = request.get("Subtitles") or {}
    cues = subtitles.cues_from_items(transcript["results"]["items"])
    if not settings.get("Formats") or not cues:
        return {}
    return {f: subtitles.render(cues, f, settings.get("OutputStartIndex", 0)).encode() for f in sorted(set(settings["Formats"]))}


def _with_extension(location: dict[str, Any], extension: str) -> dict[str, Any]:
    """The location of the transcript ('json') or of a file beside it, as {'path'} or {'bucket', 'key'}."""
    output = OutputLocation(CUSTOMER_BUCKET, ObjectRef(location["bucket"], location["key"]), None) \
        if location.get("bucket") else OutputLocation("", None, location["path"])
    if extension != "json":
        output = beside(output, extension)
    return _location_json(output)


def _service_paths(location: dict[str, Any]) -> list[str]:
    """Every file a job keeps in the service's own storage."""
    if not location.get("path"):
        return []
    return [_with_extension(location, e)["path"] for e in ["json", *location.get("subtitles", [])]]


def _location_json(output: OutputLocation) -> dict[str, Any]:
    if output.ref:
        return {"bucket": output.ref.bucket, "key": output.ref.key}
    return {"path": output.path}


def _job_description(row: Any, transcript_uri: str | None) -> dict[str, Any]:
    request = json.loads(row.request)
    job: dict[str, Any] = {
        "TranscriptionJobName": row.name,
        "TranscriptionJobStatus": row.status,
        "LanguageCode": request.get("LanguageCode"),
        "MediaSampleRateHertz": request.get("MediaSampleRateHertz"),
        "MediaFormat": request.get("MediaFormat"),
        "Media": request.get("Media"),
        "CreationTime": row.created_at,
        "StartTime": row.started_at,
        "CompletionTime": row.completed_at,
        "FailureReason": row.failure_reason,
        "Settings": request.get("Settings"),
        "ModelSettings": request.get("ModelSettings"),
        "IdentifyLanguage": request.get("IdentifyLanguage"),
        "LanguageOptions": request.get("LanguageOptions"),
        "IdentifiedLanguageScore": request.get("IdentifiedLanguageScore"),
        "Tags": tags_list(json.loads(row.tags or "{}")) or None,
    }
    if transcript_uri:
        job["Transcript"] = {"TranscriptFileUri": transcript_uri}
    return job


def _job_summary(row: Any) -> dict[str, Any]:
    request = json.loads(row.request)
    return {
        "TranscriptionJobName": row.name,
        "CreationTime": row.created_at,
        "StartTime": row.started_at,
        "CompletionTime": row.completed_at,
        "LanguageCode": request.get("LanguageCode"),
        "TranscriptionJobStatus": row.status,
        "FailureReason": row.failure_reason,
        "OutputLocationType": row.output_location_type if row.status == COMPLETED or row.output_location_type else None,
        "ModelSettings": request.get("ModelSettings"),
        "IdentifyLanguage": request.get("IdentifyLanguage"),
    }
