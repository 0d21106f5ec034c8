/*
 * Progressive enhancement for every page (loaded once, as a module, by base.html):
 * confirmation prompts for destructive forms, the search-as-you-type pickers, and form errors
 * (focus the error summary, clear a field's error when it changes), copy buttons, and the
 * navigation's Menu button on small screens.
 */
import "./confirm.js";
import "./picker.js";
import "./form-errors.js";
import "./copy.js";
import "./menu.js";
