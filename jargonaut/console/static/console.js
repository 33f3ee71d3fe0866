// Progressive enhancement for the console: every page works without it, this adds live
// status, the transcript player, and form sections that follow the choices made.
"use strict";

function liveStatus(section) {
  // Poll the status while running; when it ends, swap in the server-rendered result part.
  const running = section.dataset.running.split(" ");
  const key = section.dataset.statusKey;
  const badge = section.querySelector("[data-field=status]");
  let last = section.dataset.initial;
  const tick = async () => {
    let state;
    try {
      const response = await fetch(section.dataset.live, {credentials: "same-origin", cache: "no-store"});
      if (!response.ok) return setTimeout(tick, 3000);
      state = await response.json();
    } catch (error) {
      return setTimeout(tick, 3000);
    }
    const status = state[key];
    if (badge) {
      badge.textContent = status.replace("_", " ").toLowerCase().replace(/\b\w/g, (c) => c.toUpperCase());
      badge.className = "badge status-" + status.toLowerCase();
    }
    if (running.includes(status) && status === last) return setTimeout(tick, 1000);
    const fragment = await fetch(section.dataset.result, {credentials: "same-origin", cache: "no-store"});
    section.querySelector("[data-result-slot]").innerHTML = await fragment.text();
    enhance(section);
    last = status;
    if (running.includes(status)) return setTimeout(tick, 1000);
    document.querySelectorAll("[data-enable-when-done]").forEach((b) => { b.disabled = false; });
  };
  if (running.includes(last)) setTimeout(tick, 1000);
}

function player(audio) {
  const words = Array.from(document.querySelectorAll("[data-words] .word[data-start]"));
  const show = () => {
    const t = audio.currentTime;
    words.forEach((w) => {
      const on = t >= parseFloat(w.dataset.start) && t < parseFloat(w.dataset.end);
      w.classList.toggle("current", on);
      if (on) w.setAttribute("aria-current", "true"); else w.removeAttribute("aria-current");
    });
  };
  ["timeupdate", "seeked", "play"].forEach((e) => audio.addEventListener(e, show));
  const seek = (w) => { audio.currentTime = parseFloat(w.dataset.start) + 0.001; audio.play().catch(() => {}); };
  // Words are not tab stops (a transcript would be hundreds); the player's own controls are.
  words.forEach((w) => w.addEventListener("click", () => seek(w)));
}

function followChoices(form) {
  // <div data-show-when="name=value"> is shown only while that radio is chosen.
  const update = () => {
    form.querySelectorAll("[data-show-when]").forEach((block) => {
      const [name, value] = block.dataset.showWhen.split("=");
      const chosen = form.querySelector(`input[name="${name}"]:checked`);
      block.hidden = !chosen || chosen.value !== value;
    });
    const language = form.querySelector("select[name=language]");
    const models = form.querySelector("select[name=language_model]");
    if (language && models) {
      // Only the models in the job's language and of the audio's band (NarrowBand < 16 kHz) fit it.
      const band = form.querySelector("input[name=band]:checked");
      Array.from(models.options).forEach((o) => {
        o.hidden = Boolean((o.dataset.language && o.dataset.language !== language.value)
          || (band && o.dataset.band && o.dataset.band !== band.value));
      });
      if (models.selectedOptions[0] && models.selectedOptions[0].hidden) {
        const first = Array.from(models.options).find((o) => !o.hidden);
        models.value = first ? first.value : "";
      }
    }
  };
  form.addEventListener("change", update);
  update();
  followSampleRate(form, update);
}

// The sample rate in a WAV or FLAC header (the first bytes of the file); null for other formats.
function headerRate(bytes) {
  const view = new DataView(bytes);
  const tag = (at) => String.fromCharCode(...new Uint8Array(bytes, at, 4));
  if (bytes.byteLength >= 12 && tag(0) === "RIFF" && tag(8) === "WAVE") {
    for (let at = 12; at + 16 <= bytes.byteLength; at += 8 + view.getUint32(at + 4, true) + (view.getUint32(at + 4, true) % 2)) {
      if (tag(at) === "fmt ") return view.getUint32(at + 12, true);
    }
  }
  if (bytes.byteLength >= 42 && tag(0) === "fLaC") {
    return (view.getUint32(18) >>> 12);  // STREAMINFO: 20 bits after min/max block and frame sizes
  }
  return null;
}

function followSampleRate(form, update) {
  // The band radio follows the chosen audio: read from the uploaded file's header, or probed by the
  // server for an S3 URI; the user sets it when neither can tell.
  const note = form.querySelector("[data-band-note]");
  const setRate = (rate, source) => {
    if (!rate) {
      note.textContent = `The sample rate of ${source} can't be read here: choose the band below.`;
      return;
    }
    const band = rate < 16000 ? "NarrowBand" : "WideBand";
    const radio = form.querySelector(`input[name=band][value=${band}]`);
    if (radio) radio.checked = true;
    note.textContent = `${source} is ${rate.toLocaleString("en")} Hz: ${band} models fit it.`;
    update();
  };
  const file = form.querySelector("input[name=audio_file]");
  if (file) {
    file.addEventListener("change", async () => {
      const chosen = file.files[0];
      if (!chosen) return;
      setRate(headerRate(await chosen.slice(0, 65536).arrayBuffer()), chosen.name);
    });
  }
  const uri = form.querySelector("input[name=media_uri]");
  if (uri) {
    uri.addEventListener("change", async () => {
      if (!uri.value.startsWith("s3://")) return;
      note.textContent = `Reading the sample rate of ${uri.value}…`;
      const response = await fetch(`/console/media/sample-rate?${new URLSearchParams({ uri: uri.value })}`,
        { credentials: "same-origin" });
      const body = await response.json().catch(() => ({}));
      if (response.ok) setRate(body.SampleRateHertz, uri.value);
      else note.textContent = `${body.error || "The audio can't be read"} Choose the band below.`;
    });
  }
}

function enhance(root) {
  root.querySelectorAll("audio[data-player]").forEach(player);
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-live]").forEach(liveStatus);
  document.querySelectorAll("form#create-job").forEach(followChoices);
  enhance(document);
});
