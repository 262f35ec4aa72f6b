// Progressive enhancement only: every page works without this file. It reads what the server
// rendered (data attributes, the catalogue's words) and never carries user-facing text itself.
(function () {
  'use strict';

  // Move focus to the error summary so screen-reader and keyboard users meet what went wrong first.
  var summary = document.getElementById('error-summary');
  if (summary) summary.focus();

  // Show/hide toggles for secret fields; the button's words say what a press will do.
  Array.prototype.forEach.call(document.querySelectorAll('.toggle-visibility'), function (button) {
    var targets = [button.getAttribute('data-target'), button.getAttribute('data-also')]
      .map(function (id) { return id && document.getElementById(id); })
      .filter(Boolean);
    if (!targets.length) return;
    button.hidden = false;
    button.addEventListener('click', function () {
      var show = targets[0].type === 'password';
      targets.forEach(function (input) { input.type = show ? 'text' : 'password'; });
      button.textContent = button.getAttribute(show ? 'data-hide' : 'data-show');
    });
  });

  // The live checklist of the password policy. The same rules as src/recovery/password-policy.ts;
  // rules the browser cannot judge (history, minimum age, names) keep their neutral mark and Okta
  // remains the judge of all of them.
  var list = document.getElementById('requirements');
  var password = document.getElementById('newPassword');
  if (!list || !password) return;
  var usernameField = document.querySelector('input[name=username]');
  var status = document.getElementById('requirements-status');

  function count(value, pattern) {
    var found = value.match(pattern);
    return found ? found.length : 0;
  }
  function usernameParts() {
    var login = usernameField ? usernameField.value.toLowerCase() : '';
    return login.split(/[@.,\-_#+\s]/).filter(function (part) { return part.length >= 3; });
  }
  var checks = {
    minLength: function (value, n) { return Array.from(value).length >= n; },
    minLowerCase: function (value, n) { return count(value, /\p{Ll}/gu) >= n; },
    minUpperCase: function (value, n) { return count(value, /\p{Lu}/gu) >= n; },
    minNumber: function (value, n) { return count(value, /\p{Nd}/gu) >= n; },
    minSymbol: function (value, n) { return count(value, /[^\p{L}\p{Nd}\s]/gu) >= n; },
    excludeUsername: function (value) {
      var lower = value.toLowerCase();
      return value.length > 0 && !usernameParts().some(function (part) { return lower.indexOf(part) !== -1; });
    }
  };
  var items = Array.prototype.filter.call(list.querySelectorAll('li[data-rule]'), function (item) {
    return checks.hasOwnProperty(item.getAttribute('data-rule'));
  });

  var announceTimer;
  function update() {
    var value = password.value;
    var met = 0;
    items.forEach(function (item) {
      var ok = checks[item.getAttribute('data-rule')](value, Number(item.getAttribute('data-count')) || 0);
      if (ok) met++;
      // Before anything is typed, nothing is marked wrong: red on an empty field only alarms.
      item.classList.toggle('met', ok);
      item.classList.toggle('unmet', !ok && value.length > 0);
      var state = item.querySelector('.requirement-state');
      if (state) state.textContent = ok ? list.getAttribute('data-met') : list.getAttribute('data-unmet');
    });
    // One short polite summary after typing pauses, not an announcement per keystroke.
    clearTimeout(announceTimer);
    if (status && value.length > 0) {
      announceTimer = setTimeout(function () {
        // The server wrote one sentence per count (each language's plural forms); pick ours.
        status.textContent = status.getAttribute('data-progress-' + met) || '';
      }, 900);
    }
  }
  password.addEventListener('input', update);
})();
