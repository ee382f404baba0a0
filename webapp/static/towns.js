/* 法治报告检索 — /towns: the search box filters the place tree as you type (name, full pinyin or
   initials, as the server's /towns?q= does). Without this file the box submits the same query. */
(function () {
  "use strict";

  var input = document.querySelector("input[data-towns-filter]");
  var tree = document.querySelector("[data-testid=place-tree]");
  var status = document.querySelector("[data-towns-filter-status]");
  if (!input || !tree) return;

  var details = Array.prototype.slice.call(tree.querySelectorAll("details"));
  var wasOpen = details.map(function (d) { return d.open; });

  function matches(li, typed, lowered) {
    var name = li.getAttribute("data-name");
    if (!name) return false;
    if (name.indexOf(typed) >= 0) return true;
    return /^[a-z]+$/.test(lowered) &&
      (li.getAttribute("data-py") || "").split(" ").some(function (f) { return f.indexOf(lowered) >= 0; });
  }

  // Returns whether `li` stays visible; a matching area shows everything under it.
  function filter(li, typed, lowered, shownAbove) {
    var own = shownAbove || matches(li, typed, lowered);
    var any = false;
    li.querySelectorAll(":scope > details > ul > li, :scope > ul > li").forEach(function (child) {
      if (filter(child, typed, lowered, own)) any = true;
    });
    var visible = own || any;
    li.hidden = !visible;
    var d = li.querySelector(":scope > details");
    if (d && visible) d.open = any || own;
    return visible;
  }

  function apply() {
    var typed = input.value.trim();
    var lowered = typed.toLowerCase().replace(/\s+/g, "");
    if (!typed) {
      tree.querySelectorAll("li[hidden]").forEach(function (li) { li.hidden = false; });
      details.forEach(function (d, n) { d.open = wasOpen[n]; });
      if (status) status.textContent = "";
      return;
    }
    var shown = 0;
    tree.querySelectorAll(":scope > ul > li").forEach(function (li) { filter(li, typed, lowered, false); });
    tree.querySelectorAll('li[data-level=town][data-name]').forEach(function (li) {
      if (!li.hidden && li.offsetParent !== null) shown += 1;
    });
    if (status) status.textContent = shown ? "显示 " + shown + " 个乡镇" : "没有匹配的乡镇，按“查找”可查县（区）";
  }

  input.addEventListener("input", apply);
  if (input.value) apply();
})();
