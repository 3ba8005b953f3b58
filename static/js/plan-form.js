// Small helpers for the section pages. No figures are computed here: the
// server's engine computes every number (htmx posts the form for a preview).
(function () {
  "use strict";
  const form = document.getElementById("section-form");
  if (!form) return;

  // Leaving a page with unsaved changes asks first.
  // A page shown again after a refused save holds values not saved yet.
  let dirty = form.dataset.unsaved === "true";
  form.addEventListener("input", () => { dirty = true; });
  form.addEventListener("change", () => { dirty = true; });
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
      bindShapes(body.lastElementChild);
      bindPaste(body.lastElementChild);
    });
  });

  // Equipment groups show the inputs of their shape.
  function bindShapes(root) {
    root.querySelectorAll(".group-card").forEach((card) => {
      const select = card.querySelector("select[name$='-shape']");
      if (!select) return;
      const update = () => { card.dataset.shape = select.value || "power"; };
      select.addEventListener("change", update);
      update();
    });
  }

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
      if (target.value.trim() && !window.confirm(button.dataset.confirm || "取代目前的內容？")) return;
      target.value = button.dataset.fillText;
      dirty = true;
    });
  });

  bindShapes(document);
  bindPaste(document);
})();
