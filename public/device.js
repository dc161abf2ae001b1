// The device sign-in page (/device, the OAuth device grant's verification_uri). It only shows, from the address or the
// form, which code to type in the app: it sends nothing, and writes what it was given only as text, never as HTML.
(function () {
  'use strict';
  var LETTERS = 'BCDFGHJKLMNPQRSTVWXZ';
  var PATTERN = new RegExp('^[' + LETTERS + ']{4}[- ]?[' + LETTERS + ']{4}$', 'i');

  /** "wdjb mjht" -> "WDJB-MJHT"; null when it cannot be a user code. */
  function normalise(input) {
    var text = String(input || '').trim();
    if (!PATTERN.test(text)) return null;
    var letters = text.replace(/[- ]/, '').toUpperCase();
    return letters.slice(0, 4) + '-' + letters.slice(4);
  }

  function show(main, given) {
    var code = normalise(given);
    var input = document.getElementById('user-code-input');
    document.getElementById('invalid').hidden = code !== null || !given;
    document.getElementById('code-panel').hidden = code === null;
    if (code === null) {
      main.dataset.state = given ? 'invalid' : 'enter';
      return;
    }
    main.dataset.state = 'code';
    input.value = code;
    document.getElementById('user-code').textContent = code;
    document.getElementById('cli-command').textContent = 'npm run mobile -- code ' + code;
    var spots = document.querySelectorAll('.code-here');
    for (var i = 0; i < spots.length; i++) spots[i].textContent = code;
    // On a touch screen the person is most likely holding the phone that approves: say so first.
    var onPhone = window.matchMedia && window.matchMedia('(pointer: coarse)').matches;
    document.getElementById('on-this-phone').hidden = !onPhone;
  }

  document.addEventListener('DOMContentLoaded', function () {
    var main = document.getElementById('device');
    show(main, new URLSearchParams(window.location.search).get('user_code'));
    document.getElementById('code-form').addEventListener('submit', function (event) {
      event.preventDefault();
      var given = document.getElementById('user-code-input').value;
      show(main, given);
      var code = normalise(given);
      if (code !== null) window.history.replaceState(null, '', '/device?user_code=' + encodeURIComponent(code));
    });
  });
})();
