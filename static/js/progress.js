/*
 * Keep a running job's progress current without reloading the page (a catch-up sync or import on
 * the Details tab, Retry all failed on the Log tab): poll the run's JSON every two seconds until it
 * has ended, showing the server's own wording. The paragraph is a polite live region, so screen
 * readers announce the new text. Without JavaScript the Refresh link does the same.
 */
async function poll(status) {
  try {
    const answer = await fetch(status.dataset.progressUrl, { headers: { Accept: "application/json" } });
    if (!answer.ok) return;
    const progress = await answer.json();
    const text = status.querySelector("[data-progress-text]");
    if (text.textContent !== progress.text) text.textContent = progress.text;
    if (progress.finished) {
      status.dataset.finished = "true";
      status.querySelector("a")?.remove();
      return;
    }
  } catch {
    return; // offline or signed out: the Refresh link still works
  }
  window.setTimeout(() => poll(status), 2000);
}

for (const status of document.querySelectorAll('[data-progress-url][data-finished="false"]')) {
  window.setTimeout(() => poll(status), 2000);
}
