/* 法治报告检索 — coming back (browser back/forward) to a page restores where it was scrolled to:
   the result list after reading a report, say. Browsers try this themselves, but the search
   box's autofocus and late-loading parts of a page undo it, so the position is kept per address
   in sessionStorage and put back once the page has loaded. */
(function () {
  "use strict";
  var store;
  try { store = window.sessionStorage; } catch (e) { return; }
  if (!store) return;
  var key = "scroll:" + location.pathname + location.search;
  if ("scrollRestoration" in history) history.scrollRestoration = "manual";

  window.addEventListener("pagehide", function () {
    try {
      if (window.scrollY > 0) store.setItem(key, String(Math.round(window.scrollY)));
      else store.removeItem(key);
    } catch (e) { /* storage full or disabled: nothing to restore then */ }
  });

  var nav = performance.getEntriesByType ? performance.getEntriesByType("navigation")[0] : null;
  if (!nav || nav.type !== "back_forward") return;
  var y = parseInt(store.getItem(key) || "", 10);
  if (!(y > 0)) return;

  var moved = false;  // the reader scrolled on their own: leave it
  function restore() { if (!moved) window.scrollTo(0, y); }
  window.addEventListener("wheel", function () { moved = true; }, { once: true, passive: true });
  window.addEventListener("keydown", function () { moved = true; }, { once: true });
  restore();
  window.addEventListener("load", function () {
    restore();
    requestAnimationFrame(restore);
  });
})();
