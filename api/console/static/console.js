// The console's little script: confirmations before consequential actions, and "back" links.
// Everything works without it (plain forms and links); no inline script anywhere, so the CSP forbids all inline.
document.addEventListener("submit", (event) => {
  const message = event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) event.preventDefault();
});
document.addEventListener("click", (event) => {
  const back = event.target.closest("[data-back]");
  if (back && window.history.length > 1) {
    event.preventDefault();
    window.history.back();
  }
});
