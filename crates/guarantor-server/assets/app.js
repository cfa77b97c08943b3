// Conveniences on top of pages that work without any script.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // "Add another line": copy the section's empty row template with the next free row number.
  const form = document.getElementById("proposal-form");
  let next = form ? parseInt(form.dataset.nextRow || "0", 10) : 0;
  document.querySelectorAll("[data-add-line]").forEach((button) => {
    const section = button.dataset.addLine;
    const template = document.querySelector(`template[data-row-template="${section}"]`);
    const list = document.querySelector(`[data-offers="${section}"]`);
    if (!template || !list) return;
    button.hidden = false;
    button.addEventListener("click", () => {
      const html = template.innerHTML.replaceAll("__N__", String(next));
      next += 1;
      list.insertAdjacentHTML("beforeend", html);
      const added = list.lastElementChild;
      const first = added && added.querySelector("select, input:not([type=hidden])");
      if (first) first.focus();
    });
  });

  // "Copy link" next to a new invitation link.
  document.querySelectorAll("[data-copy]").forEach((button) => {
    button.addEventListener("click", async () => {
      const field = document.getElementById(button.dataset.copy);
      if (!field) return;
      field.select();
      try {
        await navigator.clipboard.writeText(field.value);
        button.textContent = "Copied";
      } catch (_) {
        document.execCommand("copy");
        button.textContent = "Copied";
      }
    });
  });

  // Changes that cannot be undone (withdrawing, revoking, a new link, closing submissions) ask
  // first: the question is on the form, or on the button that was pressed.
  document.querySelectorAll("form").forEach((f) => {
    f.addEventListener("submit", (e) => {
      const question = (e.submitter && e.submitter.dataset.confirm) || f.dataset.confirm;
      if (question && !window.confirm(question)) e.preventDefault();
    });
  });

  // The proposal form: a warning before leaving with unsaved changes, and the draft saved
  // automatically once a minute while there are some (never submitted: only "Save draft").
  if (form && !form.querySelector("fieldset[disabled]")) {
    let dirty = false;
    const status = document.getElementById("autosave");
    form.addEventListener("input", () => { dirty = true; });
    form.addEventListener("change", () => { dirty = true; });
    document.querySelectorAll("form").forEach((f) => {
      f.addEventListener("submit", () => { dirty = false; });
    });
    window.addEventListener("beforeunload", (e) => {
      if (dirty) { e.preventDefault(); e.returnValue = ""; }
    });
    const version = form.querySelector("input[name=version]");
    const autosave = async () => {
      if (!dirty || !version) return;
      const body = new URLSearchParams(new FormData(form));
      body.set("action", "save");
      dirty = false;
      try {
        // Not form.action: the buttons named "action" shadow it.
        const resp = await fetch(form.getAttribute("action"), { method: "POST", body, credentials: "same-origin" });
        const text = await resp.text();
        const saved = resp.ok && resp.url.includes("done=saved");
        const found = text.match(/name="version" value="(-?\d+)"/);
        if (saved && found) {
          version.value = found[1];
          const at = new Date().toTimeString().slice(0, 5);
          if (status) status.textContent = `Draft saved automatically at ${at}.`;
        } else {
          dirty = true;
          if (status) status.textContent = "Not saved automatically: the form has a problem. Press Save draft to see it.";
        }
      } catch (_) {
        dirty = true;
        if (status) status.textContent = "Not saved automatically: the server could not be reached.";
      }
    };
    setInterval(autosave, 60000);
    // The browser tests trigger it without waiting a minute.
    window.guarantorAutosave = autosave;
  }

  // Move focus to an error summary so that screen readers announce it first.
  const summary = document.querySelector(".error-summary");
  if (summary) summary.focus();
});
