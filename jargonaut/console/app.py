"""The web console's routes: sign-in, custom language models, transcription jobs, real-time.

Page handlers hold no business logic: they turn forms into domain requests (jargonaut/domain) and
call `api.operations.run` (the same validation and services as the JSON API), or a service method
for what the API has no operation for (training report, transcript and audio bytes, uploads).
"""
from __future__ import annotations

import asyncio
import hmac
import json
import logging
import math
import mimetypes
import re
import secrets
from dataclasses import replace
from pathlib import Path
from typing import Any, Awaitable, Callable
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from jargonaut.api.handlers import CallContext
from jargonaut.api.operations import run
from jargonaut.api.sigv4 import Principal
from jargonaut.console import live_transcript, realtime
from jargonaut.console.sessions import SESSION_COOKIE, SIGNIN_CSRF_COOKIE, same_token
from jargonaut.console.web import (
    FORM_FIELD_BYTES,
    SECURITY_HEADERS,
    csrf_ok,
    environment,
    ranged,
    safe_next,
    size_problem,
    when,
)
from jargonaut.domain.language_models import (
    CreateLanguageModel,
    DescribeLanguageModel,
    InputDataConfig,
    LanguageModel,
    ListLanguageModels,
)
from jargonaut.domain.transcription_jobs import (
    GetTranscriptionJob,
    ListTranscriptionJobs,
    StartTranscriptionJob,
    Subtitles,
    TranscriptionJob,
)
from jargonaut.errors import BadRequestError, JargonautError, NotFoundError
from jargonaut.service.app_services import Services
from jargonaut.service.buckets import Caller
from jargonaut.service.console_sessions import ConsoleSessions, Session
from jargonaut.service.evaluations import Evaluations
from jargonaut.service.media import probe_object
from jargonaut.service.signin_throttle import SignInThrottle
from jargonaut.service.workdirs import JOB_PREFIX, work_dir
from jargonaut.storage.objects import ObjectRef

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
PAGE_SIZE = 10
_UPLOAD_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_DOWNLOAD_TYPES = {"json": "application/json", "srt": "application/x-subrip", "vtt": "text/vtt; charset=utf-8"}

Page = Callable[[Request, Session], Awaitable[Response]]


class Console:
    def __init__(self, services: Services) -> None:
        self.services = services
        settings = services.settings
        self.sessions = ConsoleSessions(services.engine, services.accounts, settings.console_session_seconds)
        self.throttle = SignInThrottle(services.engine, settings.console_signin_key_attempts,
                                       settings.console_signin_address_attempts, settings.console_signin_window_seconds)
        self.templates = environment()
        self.region = services.settings.region
        self.evaluations = Evaluations(services.settings.data_dir, services.jobs, services.language_models,
                                       services.buckets)

    # ---- plumbing --------------------------------------------------------------------------
    def render(self, request: Request, name: str, session: Session | None = None, status: int = 200,
               **values: Any) -> HTMLResponse:
        body = self.templates.get_template(name).render(
            request=request, session=session, csrf_token=session.csrf_token if session else values.pop("csrf", ""),
            region=self.services.settings.region, path=request.url.path, **values,
        )
        return HTMLResponse(body, status_code=status, headers=SECURITY_HEADERS)

    def context(self, session: Session) -> CallContext:
        # Pages link transcripts and downloads through their own routes, so no pre-signed URLs.
        return CallContext(session.principal, self.region, self.services, lambda *_: "", lambda *_: "")

    def owner(self, session: Session) -> tuple[str, str]:
        """Resources are scoped by account and region; the console works in the server's default region."""
        return session.principal.account_id, self.region

    def training_report(self, session: Session, name: str) -> dict[str, Any] | None:
        """The report of a COMPLETED model with its domain terms and spellings; None before that."""
        try:
            result = self.services.language_models.report(*self.owner(session), name)
        except BadRequestError:
            return None
        return {**result["Report"], "terms": result["DomainTerms"], "spellings": result["SpellingVariants"]}

    async def call(self, session: Session, request: Any) -> Any:
        """Run a domain request for the signed-in account (validated as the API validates it)."""
        return await asyncio.to_thread(run, self.context(session), request)

    def page(self, handler: Page) -> Callable[[Request], Awaitable[Response]]:
        """Signed in (else the sign-in page), and every POST carries this session's CSRF token."""

        async def endpoint(request: Request) -> Response:
            session = await asyncio.to_thread(self.sessions.get, request.cookies.get(SESSION_COOKIE))
            if session is None:
                if request.method == "GET" and not request.url.path.endswith((".json", "/status", "/result", "/sample-rate")):
                    return RedirectResponse("/console/signin?" + urlencode({"next": request.url.path}), 303)
                return self.render(request, "refused.html", status=401, reason="Your session has expired or you "
                                   "signed out. Sign in again; nothing was changed.", csrf="")
            try:
                too_large = await size_problem(request, self.services.settings.console_max_upload_bytes) \
                    if request.method == "POST" else None
                if too_large:
                    return self.render(request, "refused.html", session, status=413, reason=too_large)
                if request.method == "POST" and not await csrf_ok(request, session.csrf_token):
                    return self.render(request, "refused.html", session, status=403, reason="The form didn't carry "
                                       "this session's security token (CSRF check failed). Reload the page and try "
                                       "again; nothing was changed.")
                return await handler(request, session)
            except HTTPException as exc:  # a form Starlette can't parse (malformed, part too large)
                return self.render(request, "refused.html", session, status=exc.status_code,
                                   reason=f"The form couldn't be read ({exc.detail}); nothing was changed.")
            except NotFoundError as exc:
                return self.render(request, "refused.html", session, status=404, reason=exc.message)
            except Exception as exc:  # noqa: BLE001 - a page never shows a traceback
                log.exception("console page %s failed", request.url.path)
                return self.render(request, "refused.html", session, status=500,
                                   reason=f"An internal error occurred ({type(exc).__name__}); try again.")

        return endpoint

    # ---- sign in / out ------------------------------------------------------------------------
    async def signin_form(self, request: Request) -> Response:
        token = request.cookies.get(SIGNIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
        response = self.render(request, "signin.html", csrf=token, next=safe_next(request.query_params.get("next")))
        self._cookie(response, request, SIGNIN_CSRF_COOKIE, token, path="/console/signin")
        return response

    async def signin(self, request: Request) -> Response:
        form = await request.form()
        next_path = safe_next(str(form.get("next") or ""))
        token = request.cookies.get(SIGNIN_CSRF_COOKIE)
        if not same_token(token, str(form.get("csrf_token") or "")):
            return self.render(request, "refused.html", status=403, csrf="", reason="The sign-in form didn't carry its "
                               "security token (CSRF check failed). Open the sign-in page again.")
        key_id = str(form.get("access_key_id") or "").strip()[:128]
        secret = str(form.get("secret_access_key") or "")
        address = request.client.host if request.client else ""
        # Refused before the keys are checked, and alike for keys that exist and keys that don't.
        wait = await asyncio.to_thread(self.throttle.wait_seconds, key_id, address)
        if wait > 0:
            minutes = max(1, math.ceil(wait / 60))
            return self.render(request, "signin.html", status=429, csrf=token, next=next_path, access_key_id=key_id,
                               error=f"Too many failed sign-in attempts. Try again in {minutes} minute"
                                     f"{'s' if minutes > 1 else ''}.")
        principal: Principal | None = await asyncio.to_thread(self.services.accounts.lookup, key_id) if key_id else None
        if principal is None or not hmac.compare_digest(principal.secret_access_key.encode(), secret.encode()):
            await asyncio.to_thread(self.throttle.failed, key_id, address)
            return self.render(request, "signin.html", status=401, csrf=token, next=next_path, access_key_id=key_id,
                               error="The access key ID or secret access key is incorrect.")
        await asyncio.to_thread(self.throttle.succeeded, key_id)
        cookie, _ = await asyncio.to_thread(self.sessions.open, principal)
        response = RedirectResponse(next_path, 303)
        self._cookie(response, request, SESSION_COOKIE, cookie, max_age=self.sessions.lifetime)
        response.delete_cookie(SIGNIN_CSRF_COOKIE, path="/console/signin")
        return response

    async def signout(self, request: Request, session: Session) -> Response:
        await asyncio.to_thread(self.sessions.close, request.cookies.get(SESSION_COOKIE))
        response = RedirectResponse("/console/signin", 303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @staticmethod
    def _cookie(response: Response, request: Request, name: str, value: str, path: str = "/",
                max_age: int | None = None) -> None:
        response.set_cookie(name, value, max_age=max_age, path=path, httponly=True, samesite="strict",
                            secure=request.url.scheme == "https")

    # ---- home ------------------------------------------------------------------------------
    async def home(self, request: Request, session: Session) -> Response:
        models = await self.call(session, ListLanguageModels(max_results=5))
        jobs = await self.call(session, ListTranscriptionJobs(max_results=5))
        return self.render(request, "home.html", session, models=models.models, jobs=jobs.summaries)

    # ---- custom language models ----------------------------------------------------------------
    async def models(self, request: Request, session: Session) -> Response:
        query = request.query_params
        try:
            result = await self.call(session, ListLanguageModels(
                query.get("status") or None, query.get("name") or None, PAGE_SIZE, query.get("token") or None))
        except BadRequestError as exc:
            return self.render(request, "models.html", session, status=400, error=exc.message, models=[],
                               filters=query, next_query=None)
        next_query = None
        if result.next_token:
            next_query = urlencode({**{k: v for k, v in query.items() if k != "token"}, "token": result.next_token})
        return self.render(request, "models.html", session, models=result.models, filters=query,
                           next_query=next_query)

    async def train_form(self, request: Request, session: Session, values: dict[str, str] | None = None,
                         error: str | None = None, status: int = 200) -> Response:
        account = session.principal.account_id
        roles = await asyncio.to_thread(self.services.roles.list, account)
        return self.render(request, "train.html", session, status=status, roles=roles, error=error,
                           values=values or {"language": "en-US", "base_model": "WideBand"},
                           languages=self._languages(), base_models=sorted(self.services.base_models))

    async def train(self, request: Request, session: Session) -> Response:
        form = {k: str(v).strip() for k, v in (await request.form()).items()}
        create = CreateLanguageModel(
            name=form.get("model_name", ""), language_code=form.get("language", ""),
            base_model_name=form.get("base_model", ""),
            input_data_config=InputDataConfig(s3_uri=form.get("training_data", ""),
                                              data_access_role_arn=form.get("data_access_role", ""),
                                              tuning_data_s3_uri=form.get("tuning_data") or None))
        try:
            await self.call(session, create)
        except JargonautError as exc:
            return await self.train_form(request, session, form, exc.message, 400)
        return RedirectResponse(f"/console/models/{create.name}", 303)

    async def model(self, request: Request, session: Session) -> Response:
        return await self._model_page(request, session, request.path_params["name"])

    async def _model_page(self, request: Request, session: Session, name: str, status: int = 200,
                          **extra: Any) -> Response:
        model = await self.describe_model(session, name)
        report = await asyncio.to_thread(self.training_report, session, name)
        evaluations = await asyncio.to_thread(self.evaluations.of_model, *self.owner(session), name)
        buckets = await asyncio.to_thread(self.services.buckets.list, session.principal.account_id)
        return self.render(request, "model.html", session, status=status, model=model, report=report,
                           evaluations=evaluations, buckets=[b.name for b in buckets], **extra)

    async def model_status(self, request: Request, session: Session) -> Response:
        model = await self.describe_model(session, request.path_params["name"])
        return JSONResponse({"ModelStatus": model.status, "FailureReason": model.failure_reason,
                             "UpgradeAvailability": model.upgrade_availability})

    async def model_result(self, request: Request, session: Session) -> Response:
        """The part of the model page that exists once training ends (fetched by the page script)."""
        name = request.path_params["name"]
        model = await self.describe_model(session, name)
        report = await asyncio.to_thread(self.training_report, session, name)
        return self.render(request, "model_result.html", session, model=model, report=report)

    async def describe_model(self, session: Session, name: str) -> LanguageModel:
        model: LanguageModel = await self.call(session, DescribeLanguageModel(name))
        return model

    async def retrain(self, request: Request, session: Session) -> Response:
        name = request.path_params["name"]
        try:
            await asyncio.to_thread(self.services.language_models.retrain, *self.owner(session), name)
        except JargonautError as exc:
            return await self._model_page(request, session, name, 400, error=exc.message)
        return RedirectResponse(f"/console/models/{name}", 303)

    async def role_help(self, request: Request, session: Session) -> Response:
        account, region = session.principal.account_id, self.services.settings.region
        trust = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "transcribe.amazonaws.com"}, "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": account},
                          "StringLike": {"aws:SourceArn": f"arn:aws:transcribe:{region}:{account}:*"}}}]}
        permissions = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
            "Resource": ["arn:aws:s3:::BUCKET", "arn:aws:s3:::BUCKET/*"]}]}
        return self.render(request, "role_help.html", session, trust=json.dumps(trust, indent=2),
                           permissions=json.dumps(permissions, indent=2))

    # ---- evaluate: does my CLM help? ---------------------------------------------------------------
    async def evaluate(self, request: Request, session: Session) -> Response:
        name = request.path_params["name"]
        form = await request.form(max_part_size=FORM_FIELD_BYTES)
        prefix = str(form.get("prefix") or "").strip()
        files = [f for f in form.getlist("files") if not isinstance(f, str) and f.filename]
        try:
            if files:  # uploads: audio + .txt pairs into a fresh folder of the chosen bucket
                folder = f"evaluations/{secrets.token_hex(4)}"
                for upload in files:
                    await self._upload(session, folder, str(form.get("upload_bucket") or ""), upload)
                prefix = f"s3://{form.get('upload_bucket')}/console-uploads/{folder}/"
            evaluation_id = await asyncio.to_thread(self.evaluations.start, *self.owner(session), name, prefix)
        except JargonautError as exc:
            return await self._model_page(request, session, name, 400, evaluate_error=exc.message,
                                          evaluate_prefix=prefix)
        return RedirectResponse(f"/console/models/{name}/evaluations/{evaluation_id}", 303)

    async def _evaluation(self, request: Request, session: Session) -> Any:
        return await asyncio.to_thread(self.evaluations.result, *self.owner(session), request.path_params["name"],
                                       request.path_params["id"])

    async def evaluation(self, request: Request, session: Session) -> Response:
        return self.render(request, "evaluation.html", session, evaluation=await self._evaluation(request, session))

    async def evaluation_status(self, request: Request, session: Session) -> Response:
        result = await self._evaluation(request, session)
        return JSONResponse({"State": "FINISHED" if result.finished else "RUNNING", "Done": result.jobs_done,
                             "Total": result.jobs_total})

    async def evaluation_result(self, request: Request, session: Session) -> Response:
        return self.render(request, "evaluation_result.html", session,
                           evaluation=await self._evaluation(request, session))

    # ---- transcription jobs ----------------------------------------------------------------------
    async def jobs(self, request: Request, session: Session) -> Response:
        query = request.query_params
        try:
            result = await self.call(session, ListTranscriptionJobs(
                query.get("status") or None, query.get("name") or None, PAGE_SIZE, query.get("token") or None))
        except BadRequestError as exc:
            return self.render(request, "jobs.html", session, status=400, error=exc.message, jobs=[],
                               filters=query, next_query=None)
        next_query = None
        if result.next_token:
            next_query = urlencode({**{k: v for k, v in query.items() if k != "token"}, "token": result.next_token})
        return self.render(request, "jobs.html", session, jobs=result.summaries, filters=query,
                           next_query=next_query)

    async def completed_models(self, session: Session) -> list[LanguageModel]:
        models: list[LanguageModel] = []
        listing = ListLanguageModels(status="COMPLETED", max_results=100)
        while True:
            page = await self.call(session, listing)
            models += page.models
            if not page.next_token:
                return models
            listing = replace(listing, next_token=page.next_token)

    async def create_job_form(self, request: Request, session: Session, values: dict[str, str] | None = None,
                              error: str | None = None, status: int = 200) -> Response:
        buckets = await asyncio.to_thread(self.services.buckets.list, session.principal.account_id)
        defaults = {"language": "en-US", "model_type": "general", "input_kind": "uri"}
        return self.render(request, "create_job.html", session, status=status, error=error,
                           values=values or defaults, languages=self._languages(),
                           models=await self.completed_models(session), buckets=[b.name for b in buckets])

    async def create_job(self, request: Request, session: Session) -> Response:
        form = await request.form(max_part_size=FORM_FIELD_BYTES)
        values = {k: str(v).strip() for k, v in form.items() if isinstance(v, str)}
        name = values.get("job_name", "")
        try:
            media_uri = values.get("media_uri", "")
            if values.get("input_kind") == "upload":
                media_uri = await self._upload(session, name, values.get("upload_bucket", ""), form.get("audio_file"))
            formats = tuple(f for f in ("srt", "vtt") if form.get(f"subtitles_{f}"))
            output_bucket = values.get("output_bucket") or None
            await self.call(session, StartTranscriptionJob(
                name=name, media_uri=media_uri, language_code=values.get("language", ""),
                language_model_name=values.get("language_model", "") if values.get("model_type") == "custom" else None,
                subtitles=Subtitles(formats=formats) if formats else None,
                output_bucket_name=output_bucket,
                output_key=(values.get("output_key") or None) if output_bucket else None))
        except JargonautError as exc:
            return await self.create_job_form(request, session, values, exc.message, 400)
        return RedirectResponse(f"/console/jobs/{name}", 303)

    async def _upload(self, session: Session, folder: str, bucket: str, upload: Any) -> str:
        """Put one uploaded file into the account's bucket under console-uploads/<folder>/ (its own access)."""
        if not bucket:
            raise BadRequestError("Choose the bucket the file is uploaded to.")
        if upload is None or isinstance(upload, str) or not upload.filename:
            raise BadRequestError("Choose an audio file to upload.")
        if not upload.size:
            raise BadRequestError(f"The file {upload.filename} is empty.")
        safe_folder = "/".join(_UPLOAD_NAME.sub("-", part) for part in folder.split("/")) or "upload"
        ref = ObjectRef(bucket, f"console-uploads/{safe_folder}/{_UPLOAD_NAME.sub('-', upload.filename)}")
        view = self.services.buckets.view(Caller.account(session.principal.account_id))
        content_type = upload.content_type or "application/octet-stream"
        await upload.seek(0)
        # From the form's spooled file (on disk past 1 MB) to the bucket in chunks: never all in memory.
        await asyncio.to_thread(view.upload_stream, ref, upload.file, content_type)
        return ref.uri

    async def media_sample_rate(self, request: Request, session: Session) -> Response:
        """The sample rate of an audio object the account can read, so Create job offers the CLMs of its band."""
        uri = request.query_params.get("uri", "")

        def probe() -> int:
            view = self.services.buckets.view(Caller.account(session.principal.account_id))
            with work_dir(self.services.settings.data_dir, JOB_PREFIX, self.services.jobs.node.id) as scratch:
                return probe_object(view, uri, Path(scratch)).sample_rate

        try:
            rate = await asyncio.to_thread(probe)
        except JargonautError as exc:
            return JSONResponse({"error": exc.message}, 400)
        return JSONResponse({"SampleRateHertz": rate})

    async def job(self, request: Request, session: Session) -> Response:
        name = request.path_params["name"]
        job = await self.get_job(session, name)
        transcript = await self._transcript(session, job)
        return self.render(request, "job.html", session, job=job, transcript=transcript)

    async def job_status(self, request: Request, session: Session) -> Response:
        job = await self.get_job(session, request.path_params["name"])
        return JSONResponse({"TranscriptionJobStatus": job.status, "FailureReason": job.failure_reason,
                             "StartTime": when(job.start_time) if job.start_time else None})

    async def job_result(self, request: Request, session: Session) -> Response:
        name = request.path_params["name"]
        job = await self.get_job(session, name)
        return self.render(request, "job_result.html", session, job=job, transcript=await self._transcript(session, job))

    async def get_job(self, session: Session, name: str) -> TranscriptionJob:
        job: TranscriptionJob = await self.call(session, GetTranscriptionJob(name))
        return job

    async def _transcript(self, session: Session, job: TranscriptionJob) -> live_transcript.Transcript | None:
        if job.status != "COMPLETED":
            return None
        body = await asyncio.to_thread(self.services.jobs.transcript_bytes, *self.owner(session), job.name)
        return live_transcript.parse(body)

    async def transcript_download(self, request: Request, session: Session) -> Response:
        name, extension = request.path_params["name"], request.path_params.get("extension", "json")
        body = await asyncio.to_thread(self.services.jobs.transcript_bytes, *self.owner(session), name, extension)
        return Response(body, media_type=_DOWNLOAD_TYPES[extension],
                        headers={"Content-Disposition": f'attachment; filename="{name}.{extension}"'})

    async def job_media(self, request: Request, session: Session) -> Response:
        name = request.path_params["name"]
        job = await self.get_job(session, name)
        body = await asyncio.to_thread(self.services.jobs.media_bytes, *self.owner(session), name)
        media_type = mimetypes.guess_type(job.media_uri or "")[0] or "application/octet-stream"
        return ranged(request, body, media_type)

    # ---- real-time ---------------------------------------------------------------------------------
    async def realtime_page(self, request: Request, session: Session) -> Response:
        return self.render(request, "realtime.html", session, languages=self._languages(),
                           models=await self.completed_models(session))

    async def realtime_url(self, request: Request, session: Session) -> Response:
        form = await request.form()
        try:
            url = realtime.presigned_url(request, session.principal, self.services.settings,
                                         str(form.get("language") or "en-US"), int(str(form.get("sample_rate") or 16000)),
                                         str(form.get("language_model") or "") or None)
        except (JargonautError, ValueError) as exc:
            return JSONResponse({"error": getattr(exc, "message", str(exc))}, 400)
        return JSONResponse({"url": url})

    def _languages(self) -> list[str]:
        return sorted({code for base in self.services.base_models.values() for code in base.languages})

    # ---- routes ----------------------------------------------------------------------------------
    def routes(self) -> list[BaseRoute]:
        page = self.page
        return [
            Route("/", page(self.home), methods=["GET"]),
            Route("/console", page(self.home), methods=["GET"]),
            Route("/console/signin", self.signin_form, methods=["GET"]),
            Route("/console/signin", self.signin, methods=["POST"]),
            Route("/console/signout", page(self.signout), methods=["POST"]),
            Route("/console/models", page(self.models), methods=["GET"]),
            Route("/console/models/train", page(self.train_form), methods=["GET"]),
            Route("/console/models/train", page(self.train), methods=["POST"]),
            Route("/console/help/data-access-role", page(self.role_help), methods=["GET"]),
            Route("/console/models/{name}", page(self.model), methods=["GET"]),
            Route("/console/models/{name}/status", page(self.model_status), methods=["GET"]),
            Route("/console/models/{name}/result", page(self.model_result), methods=["GET"]),
            Route("/console/models/{name}/retrain", page(self.retrain), methods=["POST"]),
            Route("/console/models/{name}/evaluate", page(self.evaluate), methods=["POST"]),
            Route("/console/models/{name}/evaluations/{id}", page(self.evaluation), methods=["GET"]),
            Route("/console/models/{name}/evaluations/{id}/status", page(self.evaluation_status), methods=["GET"]),
            Route("/console/models/{name}/evaluations/{id}/result", page(self.evaluation_result), methods=["GET"]),
            Route("/console/jobs", page(self.jobs), methods=["GET"]),
            Route("/console/jobs/create", page(self.create_job_form), methods=["GET"]),
            Route("/console/jobs/create", page(self.create_job), methods=["POST"]),
            Route("/console/media/sample-rate", page(self.media_sample_rate), methods=["GET"]),
            Route("/console/jobs/{name}", page(self.job), methods=["GET"]),
            Route("/console/jobs/{name}/status", page(self.job_status), methods=["GET"]),
            Route("/console/jobs/{name}/result", page(self.job_result), methods=["GET"]),
            Route("/console/jobs/{name}/transcript.json", page(self.transcript_download), methods=["GET"]),
            Route("/console/jobs/{name}/subtitles.{extension:str}", page(self.transcript_download), methods=["GET"]),
            Route("/console/jobs/{name}/media", page(self.job_media), methods=["GET"]),
            Route("/console/realtime", page(self.realtime_page), methods=["GET"]),
            Route("/console/realtime/url", page(self.realtime_url), methods=["POST"]),
            Mount("/console/static", StaticFiles(directory=HERE / "static"), name="console-static"),
        ]


def console_routes(services: Services) -> list[BaseRoute]:
    return Console(services).routes()
