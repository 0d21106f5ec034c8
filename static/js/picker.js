/*
 * Search-as-you-type picker (ARIA 1.2 combobox with a listbox popup). No library, no inline code.
 *
 * Usage: render a plain text field with a data-picker-url attribute pointing at a JSON endpoint
 * that answers GET <url>?q=<typed text> with {"results": [{"value": "...", "label": "..."}]}:
 *
 *   form.py:      company = StringField("Company", validators=[DataRequired(), EmployableCompany()])
 *   template:     {{ render_field(form.company, data_picker_url=url_for("hr.search_companies")) }}
 *
 * Endpoints: hr.search_companies (active companies, value = company code) and
 * admin.search_users (active HR Professionals, value = username).
 *
 * Typing fetches results (debounced); ArrowDown/ArrowUp move through them, Enter or a click
 * chooses one and fills the field with its value, Escape closes the list. "No matches" is shown
 * under the field, not only announced. Enter never submits the form while what was typed matches
 * nothing (or is still being looked up): with one suggestion it chooses it, with several it moves
 * into the list. Endpoints match the start of any word, ignoring case and accents
 * (lever_cezanne.word_search); a new picker registers its model there. Without JavaScript
 * the field stays a text box: the server resolves what was typed and explains any mistake, so
 * forms must always validate the value server-side (EmployableCompany, ActiveHRProfessional).
 * base.html loads this file on every page; styles live in static/css/hr.css (added on demand).
 */
(function () {
  "use strict";
  var DEBOUNCE_MS = 200;
  var counter = 0;

  function ensureStyles() {
    if (document.querySelector('link[href*="/css/hr.css"]')) return;
    var app = document.querySelector('link[rel="stylesheet"][href*="/css/app.css"]');
    if (!app) return;
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = app.getAttribute("href").replace("/css/app.css", "/css/hr.css");
    document.head.appendChild(link);
  }

  function Picker(input) {
    var id = input.id || "picker-" + ++counter;
    input.id = id;
    this.input = input;
    this.url = input.getAttribute("data-picker-url");
    this.results = [];
    this.active = -1;
    this.timer = null;
    this.controller = null;
    // What the last finished search was for and how many it found; a value the server rendered
    // (an edit form, or one kept after an error) counts as resolved until it is changed.
    this.searched = input.value.trim();
    this.found = input.value.trim() ? 1 : 0;

    var wrap = document.createElement("div");
    wrap.className = "picker";
    input.parentNode.insertBefore(wrap, input);
    wrap.appendChild(input);
    this.list = document.createElement("ul");
    this.list.id = id + "-listbox";
    this.list.className = "picker-list";
    this.list.setAttribute("role", "listbox");
    this.list.setAttribute("aria-label", (input.labels && input.labels[0] ? input.labels[0].textContent : "Results"));
    this.list.hidden = true;
    wrap.appendChild(this.list);
    // A visible line naming the chosen result, and a live region that reads out counts.
    this.chosen = document.createElement("p");
    this.chosen.className = "picker-chosen";
    this.chosen.id = id + "-chosen";
    this.status = document.createElement("p");
    this.status.className = "visually-hidden";
    this.status.setAttribute("role", "status");
    this.none = document.createElement("p");
    this.none.className = "picker-none";
    this.none.id = id + "-none";
    this.none.hidden = true;
    wrap.parentNode.insertBefore(this.chosen, wrap.nextSibling);
    wrap.parentNode.insertBefore(this.none, this.chosen.nextSibling);
    wrap.parentNode.insertBefore(this.status, this.none.nextSibling);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", this.list.id);
    input.setAttribute("autocomplete", "off");

    input.addEventListener("input", this.onInput.bind(this));
    input.addEventListener("keydown", this.onKeyDown.bind(this));
    input.addEventListener("blur", this.close.bind(this));
    // mousedown would blur the input before the click lands: keep focus on the field.
    this.list.addEventListener("mousedown", function (event) { event.preventDefault(); });
    this.list.addEventListener("click", this.onClick.bind(this));
  }

  Picker.prototype.onInput = function () {
    var self = this;
    this.chosen.textContent = "";
    this.showNone(false);
    clearTimeout(this.timer);
    this.timer = setTimeout(function () { self.fetch(self.input.value.trim()); }, DEBOUNCE_MS);
  };

  Picker.prototype.fetch = function (q) {
    var self = this;
    if (this.controller) this.controller.abort();
    if (!q) { this.close(); return; }
    this.controller = new AbortController();
    var sep = this.url.indexOf("?") === -1 ? "?" : "&";
    fetch(this.url + sep + "q=" + encodeURIComponent(q), {
      headers: { Accept: "application/json" }, credentials: "same-origin", signal: this.controller.signal
    })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (data) { self.show(q, data.results || []); })
      .catch(function (error) { if (error.name !== "AbortError") self.show(q, []); });
  };

  Picker.prototype.show = function (q, results) {
    var self = this;
    this.controller = null;
    this.searched = q;
    this.found = results.length;
    this.results = results;
    this.active = -1;
    this.list.textContent = "";
    results.forEach(function (result, index) {
      var option = document.createElement("li");
      option.id = self.list.id + "-" + index;
      option.className = "picker-option";
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.setAttribute("data-index", String(index));
      option.textContent = result.label;
      self.list.appendChild(option);
    });
    this.status.textContent = results.length
      ? results.length + (results.length === 1 ? " result" : " results") + ", use the arrow keys to choose."
      : "No matches.";
    this.showNone(results.length === 0);
    this.setOpen(results.length > 0);
  };

  Picker.prototype.showNone = function (show) {
    this.none.textContent = show
      ? "No matches for \u201c" + this.searched + "\u201d. Check the spelling, or type the start of another word."
      : "";
    this.none.hidden = !show;
  };

  // Whether the field's text has not been looked up yet (typed in the last moments).
  Picker.prototype.pending = function () {
    return this.controller !== null || this.input.value.trim() !== this.searched;
  };

  Picker.prototype.setOpen = function (open) {
    this.list.hidden = !open;
    this.input.setAttribute("aria-expanded", open ? "true" : "false");
    if (!open) this.input.removeAttribute("aria-activedescendant");
  };

  Picker.prototype.close = function () {
    clearTimeout(this.timer);
    this.setOpen(false);
  };

  Picker.prototype.highlight = function (index) {
    var options = this.list.children;
    if (!options.length) return;
    this.active = (index + options.length) % options.length;
    for (var i = 0; i < options.length; i++) {
      options[i].setAttribute("aria-selected", i === this.active ? "true" : "false");
    }
    var option = options[this.active];
    this.input.setAttribute("aria-activedescendant", option.id);
    option.scrollIntoView({ block: "nearest" });
  };

  Picker.prototype.choose = function (index) {
    var result = this.results[index];
    if (!result) return;
    this.input.value = result.value;
    this.searched = result.value;
    this.found = 1;
    this.showNone(false);
    this.chosen.textContent = result.label;
    this.status.textContent = "Chosen: " + result.label;
    this.close();
    this.input.dispatchEvent(new Event("change", { bubbles: true }));
  };

  Picker.prototype.onKeyDown = function (event) {
    var open = !this.list.hidden;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!open) {
        if (this.results.length) this.setOpen(true); else this.fetch(this.input.value.trim());
        return;
      }
      // From the field (nothing highlighted yet) ArrowUp goes to the last suggestion.
      var from = this.active < 0 && event.key === "ArrowUp" ? 0 : this.active;
      this.highlight(from + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter") {
      this.onEnter(event, open);
    } else if (event.key === "Escape" && open) {
      event.preventDefault();
      this.close();
    }
  };

  Picker.prototype.onEnter = function (event, open) {
    if (open && this.active >= 0) {
      event.preventDefault();  // choose the option instead of submitting the form
      this.choose(this.active);
    } else if (open) {
      event.preventDefault();
      if (this.results.length === 1) this.choose(0); else this.highlight(0);
    } else if (!this.input.value.trim()) {
      return;  // an empty field submits: the server says it is required, or it is optional
    } else if (this.pending()) {
      event.preventDefault();  // look the text up first; Enter again once there are results
      clearTimeout(this.timer);
      this.fetch(this.input.value.trim());
    } else if (this.found === 0) {
      event.preventDefault();  // nothing matches: submitting would only fail
      this.showNone(true);
    }
  };

  Picker.prototype.onClick = function (event) {
    var option = event.target.closest("[role=option]");
    if (option) this.choose(Number(option.getAttribute("data-index")));
  };

  function init() {
    var inputs = document.querySelectorAll('input[type="text"][data-picker-url]');
    if (!inputs.length) return;
    ensureStyles();
    for (var i = 0; i < inputs.length; i++) new Picker(inputs[i]);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
