// Real-time transcription from the microphone: 16 kHz PCM in AWS event-stream frames over the
// server's pre-signed WebSocket (the same protocol Amazon's streaming clients speak).
"use strict";

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes) {
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = CRC_TABLE[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function audioEvent(payload) {
  // Prelude (total length, headers length, CRC), string headers (type 7), payload, message CRC.
  const text = new TextEncoder();
  const headers = [[":content-type", "application/octet-stream"], [":event-type", "AudioEvent"], [":message-type", "event"]]
    .map(([name, value]) => [text.encode(name), text.encode(value)]);
  const headerBytes = headers.reduce((sum, [n, v]) => sum + 1 + n.length + 3 + v.length, 0);
  const total = 12 + headerBytes + payload.length + 4;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, total);
  view.setUint32(4, headerBytes);
  view.setUint32(8, crc32(out.subarray(0, 8)));
  let at = 12;
  for (const [name, value] of headers) {
    out[at++] = name.length; out.set(name, at); at += name.length;
    out[at++] = 7; view.setUint16(at, value.length); at += 2; out.set(value, at); at += value.length;
  }
  out.set(payload, at);
  view.setUint32(total - 4, crc32(out.subarray(0, total - 4)));
  return out;
}

function parseMessage(buffer) {
  const bytes = new Uint8Array(buffer);
  const view = new DataView(buffer);
  const total = view.getUint32(0);
  const headerEnd = 12 + view.getUint32(4);
  const headers = {};
  const text = new TextDecoder();
  let at = 12;
  while (at < headerEnd) {
    const nameLength = bytes[at++];
    const name = text.decode(bytes.subarray(at, at + nameLength)); at += nameLength;
    const type = bytes[at++];
    if (type !== 7) break;  // the server only sends string headers
    const length = view.getUint16(at); at += 2;
    headers[name] = text.decode(bytes.subarray(at, at + length)); at += length;
  }
  return {headers, payload: text.decode(bytes.subarray(headerEnd, total - 4))};
}

function floatTo16(samples) {
  const out = new Uint8Array(samples.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < samples.length; i++) {
    const s = Math.max(-1, Math.min(1, samples[i]));
    view.setInt16(2 * i, s < 0 ? s * 0x8000 : s * 0x7fff, true);
  }
  return out;
}

document.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("realtime");
  const start = document.getElementById("rt-start");
  const stop = document.getElementById("rt-stop");
  const state = document.getElementById("rt-state");
  const error = document.getElementById("rt-error");
  const finals = document.getElementById("rt-finals");
  const partial = document.getElementById("rt-partial");
  let socket = null, stream = null, audio = null;

  const fail = (message) => { error.textContent = message; error.hidden = false; };
  const release = () => {
    if (audio) audio.close().catch(() => {});
    if (stream) stream.getTracks().forEach((t) => t.stop());
    audio = stream = null;
    start.disabled = false; stop.disabled = true;
  };

  start.addEventListener("click", async () => {
    error.hidden = true; start.disabled = true; state.textContent = "Connecting…";
    const body = new URLSearchParams({language: document.getElementById("rt-language").value,
      language_model: document.getElementById("rt-model").value, sample_rate: "16000"});
    const reply = await fetch("/console/realtime/url", {method: "POST", body, credentials: "same-origin",
      headers: {"X-CSRF-Token": root.dataset.csrf}});
    const answer = await reply.json().catch(() => ({error: `The server answered ${reply.status}.`}));
    if (!reply.ok) { fail(answer.error); return release(); }
    try {
      stream = await navigator.mediaDevices.getUserMedia({audio: {channelCount: 1, echoCancellation: false}});
    } catch (e) {
      fail("The microphone is not available: " + e.message); return release();
    }
    socket = new WebSocket(answer.url);
    socket.binaryType = "arraybuffer";
    socket.onopen = () => {
      audio = new AudioContext({sampleRate: 16000});
      const source = audio.createMediaStreamSource(stream);
      const tap = audio.createScriptProcessor(4096, 1, 1);
      tap.onaudioprocess = (e) => {
        if (socket && socket.readyState === WebSocket.OPEN) socket.send(audioEvent(floatTo16(e.inputBuffer.getChannelData(0))));
      };
      source.connect(tap); tap.connect(audio.destination);
      state.textContent = "Streaming — speak now."; stop.disabled = false;
    };
    socket.onmessage = (message) => {
      const {headers, payload} = parseMessage(message.data);
      if (headers[":message-type"] === "exception") { fail(JSON.parse(payload).Message || payload); return; }
      for (const result of JSON.parse(payload).Transcript.Results) {
        const words = result.Alternatives.length ? result.Alternatives[0].Transcript : "";
        if (result.IsPartial) { partial.textContent = words; continue; }
        const line = document.createElement("span");
        line.className = "final"; line.textContent = words + " ";
        finals.appendChild(line); partial.textContent = "";
      }
    };
    socket.onclose = () => { state.textContent = "Stream closed."; socket = null; release(); };
    socket.onerror = () => fail("The connection to the streaming endpoint failed.");
  });

  stop.addEventListener("click", () => {
    // An empty audio event ends the stream; the server sends the last final result, then closes.
    if (audio) audio.close().catch(() => {});
    if (stream) stream.getTracks().forEach((t) => t.stop());
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(audioEvent(new Uint8Array(0)));
    state.textContent = "Finishing…"; stop.disabled = true;
  });
});
