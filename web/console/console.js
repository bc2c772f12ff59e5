// 政法协同平台 console: small helpers only; every page works without script.
document.addEventListener('DOMContentLoaded', () => {
  // A confirm step before irreversible actions (data-confirm on the form).
  for (const form of document.querySelectorAll('form[data-confirm]')) {
    form.addEventListener('submit', (e) => {
      if (!window.confirm(form.dataset.confirm)) e.preventDefault();
    });
  }
  // Print buttons (no inline handlers: the page's CSP forbids them).
  for (const b of document.querySelectorAll('[data-print]')) {
    b.addEventListener('click', () => window.print());
  }
});
