/*
 * Keep a running catch-up sync's or import's progress current without reloading the Details tab:
 * poll the run's JSON every two seconds until it has ended. The paragraph is a polite live region,
 * so screen readers announce the new text. Without JavaScript the Refresh link does the same.
 */
const status = document.querySelector(".sync-progress[data-progress-url]");

async function poll() {
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
  window.setTimeout(poll, 2000);
}

if (status && status.dataset.finished === "false") window.setTimeout(poll, 2000);
