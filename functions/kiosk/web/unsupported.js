// Loaded as <script nomodule defer>: only browsers without ES modules run it, and they cannot run the
// kiosk at all. Instead of a screen stuck on "Loading the menu…", it says the browser is too old.
// A classic script in ES5 on purpose (test/kiosk/compat.unit.test.ts parses it as ES5).
(function () {
  'use strict';

  var WORDS = {
    en: { title: 'This browser is too old for the kiosk.', help: 'Please ask a member of staff for help.' },
    ko: { title: '이 브라우저는 너무 오래되어 키오스크를 쓸 수 없습니다.', help: '직원에게 도움을 요청해 주세요.' },
  };

  /**
   * @param {string | undefined} tag
   * @returns {keyof typeof WORDS | undefined}
   */
  function known(tag) {
    var base = /** @type {string} */ (String(tag || '').toLowerCase().split(/[-_]/)[0]); // split gives at least one part
    return Object.prototype.hasOwnProperty.call(WORDS, base) ? /** @type {keyof typeof WORDS} */ (base) : undefined;
  }

  // As the pages choose: ?lang= first, then the browser's languages, then English.
  function language() {
    var match = /[?&]lang=([^&#]*)/.exec(window.location.search);
    var chosen = match ? known(decodeURIComponent(/** @type {string} */ (match[1]))) : undefined; // the group always takes part
    var browser = navigator.languages || [navigator.language];
    for (var i = 0; !chosen && i < browser.length; i++) chosen = known(browser[i]);
    return chosen || 'en';
  }

  /**
   * @param {string} tag
   * @param {string} [text]
   */
  function element(tag, text) {
    var node = document.createElement(tag);
    if (text) node.appendChild(document.createTextNode(text));
    return node;
  }

  function show() {
    if (document.getElementById('unsupported')) return;
    var lang = language();
    var box = element('section');
    box.id = 'unsupported';
    box.className = 'panel unsupported';
    box.setAttribute('role', 'alert');
    box.setAttribute('lang', lang);
    box.appendChild(element('h2', WORDS[lang].title));
    box.appendChild(element('p', WORDS[lang].help));

    // Nothing on the page works without the modules: hide it, and the language buttons with it.
    var main = document.querySelector('main');
    if (main) main.hidden = true;
    /** @type {HTMLElement | null} */
    var buttons = document.querySelector('.lang');
    if (buttons) buttons.hidden = true;
    document.documentElement.lang = lang;
    document.body.insertBefore(box, main || null);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', show);
  else show();
})();
