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
      // Only the models in the job's language fit it.
      Array.from(models.options).forEach((o) => { o.hidden = o.dataset.language && o.dataset.language !== language.value; });
      if (models.selectedOptions[0] && models.selectedOptions[0].hidden) {
        const first = Array.from(models.options).find((o) => !o.hidden);
        models.value = first ? first.value : "";
      }
    }
  };
  form.addEventListener("change", update);
  update();
}

function enhance(root) {
  root.querySelectorAll("audio[data-player]").forEach(player);
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-live]").forEach(liveStatus);
  document.querySelectorAll("form#create-job").forEach(followChoices);
  enhance(document);
});
