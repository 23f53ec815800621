// Polls a background job's state and reloads the page when it changes (no inline script: CSP).
(function () {
  const el = document.getElementById("jobb");
  if (!el || !["köad", "pågår"].includes(el.dataset.status)) return;
  const url = el.dataset.statusUrl;
  const poll = () => fetch(url, { credentials: "same-origin" })
    .then((r) => r.json())
    .then((data) => {
      if (data.status !== el.dataset.status) window.location.reload();
      else window.setTimeout(poll, 1500);
    })
    .catch(() => window.setTimeout(poll, 5000));
  window.setTimeout(poll, 1000);
})();
