/*
 * Progressive enhancement for every page (loaded once, as a module, by base.html):
 * confirmation prompts for destructive forms and the search-as-you-type pickers.
 */
import "./confirm.js";
import "./picker.js";
