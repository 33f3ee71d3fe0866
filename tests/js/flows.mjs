// The AWS SDK for JavaScript v3 against a running Jargonaut, as a user's Node program would drive it.
// Usage: node flows.mjs <job|clm|stream> '<json spec>'  -> one JSON object on stdout.
// Driven by tests/api/test_js_sdk.py; streaming needs NODE_EXTRA_CA_CERTS=<server cert>.
import { readFileSync } from "node:fs";
import {
  TranscribeClient, StartTranscriptionJobCommand, GetTranscriptionJobCommand, DeleteTranscriptionJobCommand,
  CreateLanguageModelCommand, DescribeLanguageModelCommand, ListLanguageModelsCommand,
  TagResourceCommand, UntagResourceCommand, ListTagsForResourceCommand,
} from "@aws-sdk/client-transcribe";
import { TranscribeStreamingClient, StartStreamTranscriptionCommand } from "@aws-sdk/client-transcribe-streaming";
import { AwsSmithyRpcV2CborProtocol } from "@aws-sdk/core/protocols";

const [command, specText] = process.argv.slice(2);
const spec = JSON.parse(specText);
const clientConfig = (endpoint) => ({
  region: spec.region,
  endpoint,
  credentials: { accessKeyId: spec.access_key_id, secretAccessKey: spec.secret_access_key },
  maxAttempts: 1,
});
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(read, done, timeoutMs = 300000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await sleep(300);
  }
}

async function transcribeJob(client, name, extra) {
  await client.send(new StartTranscriptionJobCommand({
    TranscriptionJobName: name, LanguageCode: "en-US", Media: { MediaFileUri: spec.media_uri }, ...extra,
  }));
  const job = await waitFor(
    async () => (await client.send(new GetTranscriptionJobCommand({ TranscriptionJobName: name }))).TranscriptionJob,
    (j) => ["COMPLETED", "FAILED"].includes(j.TranscriptionJobStatus),
  );
  let transcript = null;
  if (job.TranscriptionJobStatus === "COMPLETED") {
    const response = await fetch(job.Transcript.TranscriptFileUri);
    transcript = (await response.json()).results.transcripts[0].transcript;
  }
  return { status: job.TranscriptionJobStatus, failure: job.FailureReason ?? null, tags: job.Tags ?? [],
           creation_is_date: job.CreationTime instanceof Date, transcript };
}

async function jobFlow() {
  // spec.cbor: the same client over Smithy RPC v2 CBOR, the protocol the Transcribe model lists first
  const client = new TranscribeClient({
    ...clientConfig(spec.endpoint), ...(spec.cbor ? { protocol: AwsSmithyRpcV2CborProtocol } : {}),
  });
  const wire = [];
  client.middlewareStack.add((next) => async (args) => {
    wire.push({ path: args.request.path, protocol: args.request.headers["smithy-protocol"] ?? null });
    return next(args);
  }, { step: "finalizeRequest", name: "recordWire" });
  const result = await transcribeJob(client, spec.job_name, { Tags: [{ Key: "team", Value: "js" }] });
  const arn = `arn:aws:transcribe:${spec.region}:${spec.account_id}:transcription-job/${spec.job_name}`;
  await client.send(new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: "stage", Value: "test" }] }));
  await client.send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: ["team"] }));
  result.listed_tags = (await client.send(new ListTagsForResourceCommand({ ResourceArn: arn }))).Tags;
  await client.send(new DeleteTranscriptionJobCommand({ TranscriptionJobName: spec.job_name }));
  try {
    await client.send(new GetTranscriptionJobCommand({ TranscriptionJobName: spec.job_name }));
    result.after_delete = "found";
  } catch (error) {
    result.after_delete = error.name;
  }
  result.wire = wire;
  return result;
}

async function clmFlow() {
  const client = new TranscribeClient(clientConfig(spec.endpoint));
  await client.send(new CreateLanguageModelCommand({
    LanguageCode: "en-US", BaseModelName: "WideBand", ModelName: spec.model_name,
    InputDataConfig: { S3Uri: spec.training_uri, DataAccessRoleArn: spec.role_arn },
    Tags: [{ Key: "domain", Value: "biomed" }],
  }));
  const model = await waitFor(
    async () => (await client.send(new DescribeLanguageModelCommand({ ModelName: spec.model_name }))).LanguageModel,
    (m) => m.ModelStatus !== "IN_PROGRESS",
  );
  const listed = (await client.send(new ListLanguageModelsCommand({ NameContains: spec.model_name }))).Models;
  const arn = `arn:aws:transcribe:${spec.region}:${spec.account_id}:language-model/${spec.model_name}`;
  const tags = (await client.send(new ListTagsForResourceCommand({ ResourceArn: arn }))).Tags;
  const job = model.ModelStatus === "COMPLETED"
    ? await transcribeJob(client, spec.job_name, { ModelSettings: { LanguageModelName: spec.model_name } })
    : null;
  return { model_status: model.ModelStatus, failure: model.FailureReason ?? null,
           listed: listed.map((m) => m.ModelName), tags, job };
}

async function* audioStream(pcm, chunkBytes, bytesPerSecond) {
  for (let offset = 0; offset < pcm.length; offset += chunkBytes) {
    yield { AudioEvent: { AudioChunk: pcm.subarray(offset, offset + chunkBytes) } };
    if (bytesPerSecond) await sleep((1000 * chunkBytes) / bytesPerSecond);
  }
}

async function streamFlow() {
  const client = new TranscribeStreamingClient(clientConfig(spec.tls_endpoint));
  const pcm = readFileSync(spec.audio_path);
  const out = { partials: 0, finals: [], error: null, language_model_name: null };
  try {
    const response = await client.send(new StartStreamTranscriptionCommand({
      LanguageCode: "en-US", MediaEncoding: "pcm", MediaSampleRateHertz: spec.sample_rate,
      ...(spec.model_name ? { LanguageModelName: spec.model_name } : {}),
      AudioStream: audioStream(pcm, spec.chunk_bytes ?? 3200, spec.bytes_per_second ?? 0),
    }));
    out.language_model_name = response.LanguageModelName ?? null;
    out.session_id = response.SessionId ?? null;
    for await (const event of response.TranscriptResultStream) {
      for (const result of event.TranscriptEvent?.Transcript?.Results ?? []) {
        if (result.IsPartial) out.partials += 1;
        else out.finals.push(result.Alternatives[0].Transcript);
      }
    }
  } catch (error) {
    out.error = { name: error.name, message: error.message };
  }
  client.destroy();
  return out;
}

const flows = { job: jobFlow, clm: clmFlow, stream: streamFlow };
try {
  console.log(JSON.stringify(await flows[command]()));
} catch (error) {
  console.log(JSON.stringify({ fatal: { name: error.name, message: error.message } }));
  process.exitCode = 1;
}
