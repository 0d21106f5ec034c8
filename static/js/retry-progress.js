/*
 * Keep "Retry all failed" progress current without reloading the page: poll the run's JSON every
 * two seconds until it has finished. Without JavaScript the Refresh link does the same.
 */
const status = document.querySelector(".retry-progress[data-progress-url]");

function describe(p) {
  const skipped = p.skipped ? `, ${p.skipped} skipped (cause still there)` : "";
  const end = p.finished ? "." : "…";
  return `${p.done} of ${p.total} done — ${p.completed} completed, ${p.failed} failed again${skipped}${end}`;
}

async function poll() {
  try {
    const answer = await fetch(status.dataset.progressUrl, { headers: { Accept: "application/json" } });
    if (!answer.ok) return;
    const progress = await answer.json();
    status.querySelector("[data-progress-text]").textContent = describe(progress);
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
