"""One thin handler per Transcribe operation: call the service with the request.

Typed handlers take a domain request and return a domain result; `api/operations.py` converts
AWS dictionaries to and from them. The vocabulary, filter and tag handlers still pass dictionaries."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from jargonaut.domain.language_models import (
    CreateLanguageModel,
    DeleteLanguageModel,
    DescribeLanguageModel,
    LanguageModel,
    LanguageModelPage,
    ListLanguageModels,
)
from jargonaut.domain.transcription_jobs import (
    DeleteTranscriptionJob,
    GetTranscriptionJob,
    ListTranscriptionJobs,
    StartTranscriptionJob,
    TranscriptionJob,
    TranscriptionJobPage,
)
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


Handler = Callable[[CallContext, dict[str, Any]], dict[str, Any]]  # AWS dictionaries in and out (not yet typed)
TypedHandler = Callable[[CallContext, Any], Any]  # a domain request in, a domain result (or None) out


def start_transcription_job(ctx: CallContext, request: StartTranscriptionJob) -> TranscriptionJob:
    return ctx.services.jobs.start(*ctx.owner, request)


def get_transcription_job(ctx: CallContext, request: GetTranscriptionJob) -> TranscriptionJob:
    return ctx.services.jobs.get(*ctx.owner, request.name, ctx.transcript_url)


def list_transcription_jobs(ctx: CallContext, request: ListTranscriptionJobs) -> TranscriptionJobPage:
    return ctx.services.jobs.list(*ctx.owner, request)


def delete_transcription_job(ctx: CallContext, request: DeleteTranscriptionJob) -> None:
    ctx.services.jobs.delete(*ctx.owner, request.name)


def create_language_model(ctx: CallContext, request: CreateLanguageModel) -> LanguageModel:
    return ctx.services.language_models.create(*ctx.owner, request)


def describe_language_model(ctx: CallContext, request: DescribeLanguageModel) -> LanguageModel:
    return ctx.services.language_models.describe(*ctx.owner, request.name)


def list_language_models(ctx: CallContext, request: ListLanguageModels) -> LanguageModelPage:
    return ctx.services.language_models.list(*ctx.owner, request)


def delete_language_model(ctx: CallContext, request: DeleteLanguageModel) -> None:
    ctx.services.language_models.delete(*ctx.owner, request.name)


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


# Operations whose services take and return domain objects (jargonaut/domain), by request type.
TYPED_HANDLERS: dict[str, tuple[type, TypedHandler]] = {
    "CreateLanguageModel": (CreateLanguageModel, create_language_model),
    "DescribeLanguageModel": (DescribeLanguageModel, describe_language_model),
    "ListLanguageModels": (ListLanguageModels, list_language_models),
    "DeleteLanguageModel": (DeleteLanguageModel, delete_language_model),
    "StartTranscriptionJob": (StartTranscriptionJob, start_transcription_job),
    "GetTranscriptionJob": (GetTranscriptionJob, get_transcription_job),
    "ListTranscriptionJobs": (ListTranscriptionJobs, list_transcription_jobs),
    "DeleteTranscriptionJob": (DeleteTranscriptionJob, delete_transcription_job),
}

# Operations whose services still take and return AWS dictionaries.
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
    "TagResource": tag_resource,
    "UntagResource": untag_resource,
    "ListTagsForResource": list_tags_for_resource,
}
