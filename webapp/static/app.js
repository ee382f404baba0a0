/* 法治报告检索 — small progressive enhancements; every page works without this file. */
(function () {
  "use strict";

  // Copy buttons: <button data-copy="text">. Hidden in the HTML, shown only when JS runs.
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    // Intranet sites are often plain http: fall back to a temporary textarea.
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } finally { document.body.removeChild(area); }
    return Promise.resolve();
  }
  window.fzCopyText = copyText;

  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.hidden = false;
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var original = button.textContent;
    copyText(button.getAttribute("data-copy")).then(function () {
      button.textContent = "已复制";
      setTimeout(function () { button.textContent = original; }, 1500);
    }, function () {
      button.textContent = "复制失败";
    });
  });

  // Toggles: <button data-toggle="ID"> shows/hides the element with that id.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-toggle]");
    if (!button) return;
    var target = document.getElementById(button.getAttribute("data-toggle"));
    if (!target) return;
    target.hidden = !target.hidden;
    button.setAttribute("aria-expanded", String(!target.hidden));
  });

  // A form marked data-url-state shows exactly what the URL says. After back/forward the page
  // may come from the back-forward cache or get the fields the browser remembers: set every
  // field from location.search again (a select without a value falls back to its first option).
  function syncFromUrl(form) {
    var params = new URLSearchParams(window.location.search);
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "submit" || el.type === "hidden") return;
      el.value = params.get(el.name) || "";
      if (el.tagName === "SELECT" && el.selectedIndex < 0) el.selectedIndex = 0;
    });
  }
  window.addEventListener("pageshow", function (event) {
    var nav = window.performance && performance.getEntriesByType &&
      performance.getEntriesByType("navigation")[0];
    if (!event.persisted && !(nav && nav.type === "back_forward")) return;
    document.querySelectorAll("form[data-url-state]").forEach(syncFromUrl);
  });

  // Filter selects submit their form at once (the 检索 button still works without JS).
  document.querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
})();
