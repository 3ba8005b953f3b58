// Small helpers for the section pages. No figures are computed here: the
// server's engine computes every number (htmx posts the form for a preview).
(function () {
  "use strict";
  const form = document.getElementById("section-form");
  if (!form) return;

  // Leaving a page with unsaved changes asks first.
  // A page shown again after a refused save holds values not saved yet.
  let dirty = form.dataset.unsaved === "true";
  form.addEventListener("input", () => { dirty = true; needsSaved(); });
  form.addEventListener("change", () => { dirty = true; needsSaved(); });

  // Actions that leave the page (e.g. the template questionnaire) wait for a save:
  // with unsaved changes they are disabled and their hint says why.
  function needsSaved() {
    document.querySelectorAll("[data-needs-saved]").forEach((button) => {
      button.disabled = dirty;
      const hint = document.getElementById(button.dataset.needsSaved);
      if (hint) hint.hidden = !dirty;
    });
  }
  needsSaved();
  // Saving wins over a live preview still on its way.
  let submitting = false;
  form.addEventListener("submit", () => {
    dirty = false;
    submitting = true;
    if (window.htmx) window.htmx.trigger(form, "htmx:abort");
  });
  form.addEventListener("htmx:confirm", (event) => { if (submitting) event.preventDefault(); });
  window.addEventListener("beforeunload", (event) => {
    if (dirty) { event.preventDefault(); event.returnValue = ""; }
  });

  // Formsets: "新增一列" clones the empty form with the next index.
  document.querySelectorAll("[data-formset-prefix]").forEach((formset) => {
    const prefix = formset.dataset.formsetPrefix;
    const total = formset.querySelector(`input[name="${prefix}-TOTAL_FORMS"]`);
    const template = formset.querySelector("template[data-formset-empty]");
    const body = formset.querySelector("[data-formset-body]");
    const add = formset.querySelector("[data-formset-add]");
    if (!total || !template || !body || !add) return;
    add.addEventListener("click", () => {
      const index = parseInt(total.value, 10);
      const html = template.innerHTML.replace(/__prefix__/g, String(index));
      body.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      dirty = true;
      needsSaved();
      bindPaste(body.lastElementChild);
    });
  });

  // Equipment groups show the inputs of their shape. Only a periods-shaped group
  // carries month rows (the server sends none for the others, to keep a page of
  // many groups small): it gets twelve empty ones from the formset's row template.
  function showShape(card) {
    const select = card.querySelector("select[name$='-shape']");
    if (!select) return;
    card.dataset.shape = select.value || "power";
    if (card.dataset.shape === "periods") addMonthRows(card);
  }

  function addMonthRows(card) {
    const body = card.querySelector("[data-paste-grid] tbody");
    const formset = card.closest("[data-formset-prefix]");
    const template = formset && formset.querySelector("template[data-grid-row]");
    if (!body || !template || body.querySelector("tr")) return;
    const html = template.innerHTML.split(template.dataset.emptyPrefix).join(card.dataset.prefix);
    for (let row = 0; row < 12; row += 1) {
      body.insertAdjacentHTML("beforeend", html.replace(/__row__/g, String(row)));
    }
  }

  form.addEventListener("change", (event) => {
    const target = event.target;
    if (target instanceof HTMLSelectElement && target.name.endsWith("-shape")) {
      const card = target.closest(".group-card");
      if (card) showShape(card);
    }
  });

  // A block pasted from a spreadsheet (tab-separated rows) fills the grid from
  // the cell it lands in: rows go down, columns go right.
  function bindPaste(root) {
    root.querySelectorAll("[data-paste-grid]").forEach((grid) => {
      grid.addEventListener("paste", (event) => {
        const target = event.target;
        if (!(target instanceof HTMLInputElement)) return;
        const text = (event.clipboardData || window.clipboardData).getData("text");
        if (!text.includes("\t") && !text.includes("\n")) return;
        event.preventDefault();
        const rows = Array.from(grid.querySelectorAll("tbody tr"));
        const cell = target.closest("td");
        const startRow = rows.indexOf(target.closest("tr"));
        const startCol = Array.from(cell.parentElement.children).indexOf(cell);
        const lines = text.replace(/\r/g, "").replace(/\n$/, "").split("\n");
        // A longer block than the grid gets more rows (a copy of the last, renumbered).
        const body = grid.querySelector("tbody");
        while (rows.length < startRow + lines.length) {
          const last = rows[rows.length - 1];
          const index = rows.length;
          const copy = last.cloneNode(true);
          copy.querySelectorAll("input").forEach((input) => {
            input.name = input.name.replace(/_(\d+)$/, `_${index}`);
            input.id = input.id.replace(/_(\d+)$/, `_${index}`);
            input.value = "";
          });
          copy.querySelectorAll(".invalid-feedback").forEach((node) => node.remove());
          body.appendChild(copy);
          rows.push(copy);
        }
        lines.forEach((line, r) => {
          const row = rows[startRow + r];
          if (!row) return;
          line.split("\t").forEach((value, c) => {
            const input = row.children[startCol + c] && row.children[startCol + c].querySelector("input");
            if (input) input.value = value.trim().replace(/,/g, "");
          });
        });
        dirty = true;
        form.dispatchEvent(new Event("change", { bubbles: true }));
      });
    });
  }

  // "套用參考計畫書用語" fills an empty text box with the reference wording.
  document.querySelectorAll("[data-fill-target]").forEach((button) => {
    button.addEventListener("click", () => {
      const target = document.getElementById(button.dataset.fillTarget);
      if (!target) return;
      if (target.value.trim() && !window.confirm(button.dataset.confirm)) return;
      target.value = button.dataset.fillText;
      target.dispatchEvent(new Event("input", { bubbles: true }));
      target.focus();
    });
  });

  // A preview that finds fields in error names them (#preview-field-errors, by
  // HTML name): they are marked as a save would mark them, and fields marked
  // before that are valid now lose their mark.
  // The mark's message is added to what the field is described by (its help text).
  function describedBy(input, drop, add) {
    const ids = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter((id) => id && id !== drop);
    if (add) ids.push(add);
    if (ids.length) input.setAttribute("aria-describedby", ids.join(" "));
    else input.removeAttribute("aria-describedby");
  }

  function clearMark(input) {
    input.classList.remove("is-invalid");
    input.removeAttribute("aria-invalid");
    describedBy(input, `${input.id || input.name}-preview-error`);
    if (input.parentElement) {
      input.parentElement.querySelectorAll(":scope > .invalid-feedback").forEach((node) => node.remove());
    }
  }

  function mark(input, message) {
    clearMark(input);
    input.classList.add("is-invalid");
    input.setAttribute("aria-invalid", "true");
    const feedback = document.createElement("div");
    feedback.className = "invalid-feedback";
    feedback.id = `${input.id || input.name}-preview-error`;
    feedback.dataset.previewFeedback = "";
    feedback.textContent = message;
    input.parentElement.appendChild(feedback);
    describedBy(input, feedback.id, feedback.id);
  }

  function markPreviewErrors() {
    const data = document.getElementById("preview-field-errors");
    if (!data) return;
    let errors;
    try { errors = JSON.parse(data.textContent); } catch (error) { return; }
    form.querySelectorAll(".is-invalid").forEach((input) => {
      if (!Object.prototype.hasOwnProperty.call(errors, input.name)) clearMark(input);
    });
    Object.entries(errors).forEach(([name, message]) => {
      form.querySelectorAll(`[name="${CSS.escape(name)}"]`).forEach((input) => mark(input, message));
    });
  }
  document.body.addEventListener("htmx:afterSettle", markPreviewErrors);

  document.querySelectorAll(".group-card").forEach(showShape);
  bindPaste(document);

  // A refrigerant from the reference table shows the table's GWP and ODP.
  document.querySelectorAll("[data-refrigerant-row]").forEach((row) => {
    const select = row.querySelector("select[name$='-code']");
    const table = JSON.parse(row.dataset.table || "{}");
    if (!select) return;
    select.addEventListener("change", () => {
      const figures = table[select.value];
      row.querySelectorAll("[data-figure]").forEach((cell) => {
        cell.textContent = figures ? (figures[cell.dataset.figure] || "—") : "—";
      });
    });
  });
})();
