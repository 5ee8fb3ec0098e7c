// Suggestions under a search field (the project of a problem): htmx fills the list as one
// types; choosing a suggestion here fills the form's fields named in its data-fill (JSON:
// the project's number, unit, county and domain) and closes the list. No inline code (CSP).
(function () {
  "use strict";

  function close(list) {
    if (list) list.replaceChildren();
  }

  document.addEventListener("click", function (event) {
    const choice = event.target.closest("button[data-fill]");
    if (!choice) {
      // A click elsewhere closes any open list.
      document.querySelectorAll("[data-suggestions]").forEach(function (list) {
        if (!list.contains(event.target)) close(list);
      });
      return;
    }
    const form = choice.closest("form");
    const values = JSON.parse(choice.dataset.fill);
    Object.keys(values).forEach(function (name) {
      const field = form && form.elements.namedItem(name);
      if (!field) return;
      field.value = values[name];
      field.dispatchEvent(new Event("change", { bubbles: true }));
    });
    const list = choice.closest("[data-suggestions]");
    close(list);
    const input = list && form.querySelector('[aria-controls="' + list.id + '"]');
    if (input) input.focus();
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    const field = event.target.closest(".field");
    if (field) close(field.querySelector("[data-suggestions]"));
  });
})();
