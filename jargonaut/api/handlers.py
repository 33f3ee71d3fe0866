"""One thin handler per Transcribe operation: unpack the request, call the service."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from jargonaut.principal import Principal
from jargonaut.service.app_services import Services


@dataclass(frozen=True)
class CallContext:
    principal: Principal
    region: str  # the region the request was signed for: resources are scoped by account and region
    services: Services
    transcript_url: Callable[..., str]  # (account_id, region, job name, extension="json") -> pre-signed URL
    presign: Callable[[str], str]  # a path on this server -> pre-signed URL (downloads)

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


def create_vocabulary_filter(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    return ctx.services.vocabulary_filters.create(*ctx.owner, params)


def get_vocabulary_filter(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    account = ctx.principal.account_id
    return ctx.services.vocabulary_filters.get(
        account, ctx.region, params["VocabularyFilterName"], lambda name: ctx.presign(f"/vocabulary-filters/{ctx.region}/{account}/{name}.txt"))


def list_vocabulary_filters(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    return ctx.services.vocabulary_filters.list(
        ctx.principal.account_id, ctx.region, name_contains=params.get("NameContains"),
        max_results=params.get("MaxResults"), next_token=params.get("NextToken"),
    )


def update_vocabulary_filter(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    return ctx.services.vocabulary_filters.update(ctx.principal.account_id, ctx.region, params)


def delete_vocabulary_filter(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    ctx.services.vocabulary_filters.delete(ctx.principal.account_id, ctx.region, params["VocabularyFilterName"])
    return {}


def create_vocabulary(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    return ctx.services.vocabularies.create(*ctx.owner, params)


def get_vocabulary(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    account = ctx.principal.account_id
    return ctx.services.vocabularies.get(
        account, ctx.region, params["VocabularyName"], lambda name: ctx.presign(f"/vocabularies/{ctx.region}/{account}/{name}.txt"))


def list_vocabularies(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    return ctx.services.vocabularies.list(
        ctx.principal.account_id, ctx.region, state=params.get("StateEquals"), name_contains=params.get("NameContains"),
        max_results=params.get("MaxResults"), next_token=params.get("NextToken"),
    )


def update_vocabulary(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    return ctx.services.vocabularies.update(ctx.principal.account_id, ctx.region, params)


def delete_vocabulary(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    ctx.services.vocabularies.delete(ctx.principal.account_id, ctx.region, params["VocabularyName"])
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
    "CreateVocabulary": create_vocabulary,
    "GetVocabulary": get_vocabulary,
    "ListVocabularies": list_vocabularies,
    "UpdateVocabulary": update_vocabulary,
    "DeleteVocabulary": delete_vocabulary,
    "CreateVocabularyFilter": create_vocabulary_filter,
    "GetVocabularyFilter": get_vocabulary_filter,
    "ListVocabularyFilters": list_vocabulary_filters,
    "UpdateVocabularyFilter": update_vocabulary_filter,
    "DeleteVocabularyFilter": delete_vocabulary_filter,
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
