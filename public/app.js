// Progressive enhancement only: every page works without this file.
(function () {
  'use strict';
  // Move focus to the error summary so screen-reader users hear what went wrong first.
  var summary = document.getElementById('error-summary');
  if (summary) summary.focus();

  // Show/hide toggles for secret fields.
  Array.prototype.forEach.call(document.querySelectorAll('.toggle-visibility'), function (button) {
    var input = document.getElementById(button.getAttribute('data-target'));
    if (!input) return;
    button.hidden = false;
    button.addEventListener('click', function () {
      var show = input.type === 'password';
      input.type = show ? 'text' : 'password';
      button.setAttribute('aria-pressed', String(show));
      button.textContent = button.getAttribute(show ? 'data-hide' : 'data-show');
    });
  });
})();
