"""One thin handler per Transcribe operation: unpack the request, call the service."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from jargonaut.api.sigv4 import Principal
from jargonaut.service.app_services import Services


@dataclass(frozen=True)
class CallContext:
    principal: Principal
    region: str  # the region the request was signed for: resources are scoped by account and region
    services: Services
    transcript_url: Callable[[str, str, str], str]

    @property
    def owner(self) -> tuple[str, str]:
        return self.principal.account_id, self.region


Handler = Callable[[CallContext, dict[str, Any]], dict[str, Any]]


def start_transcription_job(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    job = ctx.services.jobs.start(*ctx.owner, params)
    return {"TranscriptionJob": job}


def get_transcription_job(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    job = ctx.services.jobs.get(*ctx.owner, params["TranscriptionJobName"], ctx.transcript_url)
    return {"TranscriptionJob": job}


def list_transcription_jobs(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    return ctx.services.jobs.list(
        *ctx.owner,
        status=params.get("Status"),
        name_contains=params.get("JobNameContains"),
        max_results=params.get("MaxResults"),
        next_token=params.get("NextToken"),
    )


def delete_transcription_job(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    ctx.services.jobs.delete(*ctx.owner, params["TranscriptionJobName"])
    return {}


def create_language_model(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    return ctx.services.language_models.create(*ctx.owner, params)


def describe_language_model(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    return {"LanguageModel": ctx.services.language_models.describe(*ctx.owner, params["ModelName"])}


def list_language_models(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    return ctx.services.language_models.list(
        *ctx.owner,
        status=params.get("StatusEquals"),
        name_contains=params.get("NameContains"),
        max_results=params.get("MaxResults"),
        next_token=params.get("NextToken"),
    )


def delete_language_model(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    ctx.services.language_models.delete(*ctx.owner, params["ModelName"])
    return {}


def tag_resource(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    ctx.services.tags.tag(*ctx.owner, params["ResourceArn"], params["Tags"])
    return {}


def untag_resource(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    ctx.services.tags.untag(*ctx.owner, params["ResourceArn"], params["TagKeys"])
    return {}


def list_tags_for_resource(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    return ctx.services.tags.list(*ctx.owner, params["ResourceArn"])


HANDLERS: dict[str, Handler] = {
    "CreateLanguageModel": create_language_model,
    "DescribeLanguageModel": describe_language_model,
    "ListLanguageModels": list_language_models,
    "DeleteLanguageModel": delete_language_model,
    "StartTranscriptionJob": start_transcription_job,
    "GetTranscriptionJob": get_transcription_job,
    "ListTranscriptionJobs": list_transcription_jobs,
    "DeleteTranscriptionJob": delete_transcription_job,
    "TagResource": tag_resource,
    "UntagResource": untag_resource,
    "ListTagsForResource": list_tags_for_resource,
}
