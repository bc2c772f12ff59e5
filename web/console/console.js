// 政法协同平台 console: small helpers only; every page works without script.
document.addEventListener('DOMContentLoaded', () => {
  // A confirm step before irreversible actions (data-confirm on the form).
  for (const form of document.querySelectorAll('form[data-confirm]')) {
    form.addEventListener('submit', (e) => {
      if (!window.confirm(form.dataset.confirm)) e.preventDefault();
    });
  }
  // A file input with data-max-bytes: a file over the server's limit is
  // refused here, with its size, before it is sent (the server would answer 413).
  for (const input of document.querySelectorAll('input[type=file][data-max-bytes]')) {
    input.addEventListener('change', () => {
      const max = Number(input.dataset.maxBytes);
      const f = input.files[0];
      input.setCustomValidity(f && f.size > max
        ? `文件过大（${Math.ceil(f.size / 1024)} KB），上限 ${Math.floor(max / 1024)} KB，请分成几个文件上传`
        : '');
      input.reportValidity();
    });
  }
  // Print buttons (no inline handlers: the page's CSP forbids them).
  for (const b of document.querySelectorAll('[data-print]')) {
    b.addEventListener('click', () => window.print());
  }
});
