// Progressive enhancement only: every task works without this file.
// Buttons that remove a row or take an irreversible action ask first when
// they carry data-confirm (the question, in the page's language).
document.addEventListener('click', function (e) {
  var b = e.target.closest ? e.target.closest('[data-confirm]') : null;
  if (b && !window.confirm(b.getAttribute('data-confirm'))) e.preventDefault();
});
