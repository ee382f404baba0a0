/* 法治报告检索 — reading page, basket and compare enhancements (web-2). Everything works without
   this file: basket forms post and redirect, citations have a plain-text link, similar paragraphs
   open on their own page. */
(function () {
  "use strict";

  var tokenMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = tokenMeta ? tokenMeta.getAttribute("content") : "";

  function showCount(count) {
    document.querySelectorAll("[data-basket-count]").forEach(function (el) {
      el.textContent = count ? " " + count : "";
      el.hidden = !count;
    });
  }

  // The basket size in the navigation (the session lives in the cookie; this reads it).
  var basketLink = document.querySelector("a[data-testid=nav-basket]");
  if (basketLink && document.querySelector("[data-basket-count]") && window.fetch) {
    fetch(basketLink.getAttribute("href") + ".json", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) showCount(data.count); })
      .catch(function () {});
  }

  // "加入引用篮" without leaving the page.
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-basket-add]");
    if (!form || !window.fetch) return;
    event.preventDefault();
    var button = form.querySelector("button");
    fetch(form.action, {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRF-Token": csrf }
    }).then(function (r) { return r.json(); }).then(function (data) {
      if (button) {
        button.textContent = data.ok ? "已加入引用篮" : data.message;
        button.classList.toggle("basket-added", !!data.ok);
      }
      showCount(data.count);
    }).catch(function () { form.submit(); });
  });

  // Compare pickers: refilter the report list as you type (town, county, year, title; every
  // word must match). The server renders the same filter for the 筛选 button without JS.
  document.querySelectorAll("[data-picker]").forEach(function (picker) {
    var input = picker.querySelector("[data-picker-filter]");
    var list = picker.querySelector("[data-picker-list]");
    var count = picker.querySelector("[data-picker-count]");
    if (!input || !list) return;
    var total = list.options.length;
    input.addEventListener("input", function () {
      var words = input.value.toLowerCase().split(/[\s,，、]+/).filter(Boolean);
      var shown = 0;
      Array.prototype.forEach.call(list.options, function (option) {
        var hay = (option.getAttribute("data-search") || "").toLowerCase();
        var match = option.selected || words.every(function (w) { return hay.indexOf(w) >= 0; });
        option.hidden = !match;
        if (match) shown += 1;
      });
      list.querySelectorAll("optgroup").forEach(function (group) {
        group.hidden = !group.querySelector("option:not([hidden])");
      });
      if (count) count.textContent = words.length ? "匹配 " + shown + " 份（共 " + total + " 份）" : "共 " + total + " 份";
    });
  });
  // Choosing a report in a picker: the filter words are not part of the comparison's URL.
  document.querySelectorAll("form.compare-choose").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (event.submitter && event.submitter.hasAttribute("data-picker-submit")) return;
      form.querySelectorAll("[data-picker-filter]").forEach(function (input) { input.disabled = true; });
    });
  });
  window.addEventListener("pageshow", function () {  // back from the comparison: usable again
    document.querySelectorAll("[data-picker-filter]").forEach(function (input) { input.disabled = false; });
  });

  // "相似段落": load the fragment the first time the <details> opens.
  document.addEventListener("toggle", function (event) {
    var details = event.target;
    if (!details.matches || !details.matches("details[data-similar-url]") || !details.open) return;
    if (details.dataset.loaded) return;
    details.dataset.loaded = "1";
    var body = details.querySelector(".similar-body");
    body.textContent = "正在查找相似段落…";
    fetch(details.getAttribute("data-similar-url"), { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
      .then(function (html) { body.innerHTML = html; })  // server-rendered, escaped fragment
      .catch(function () {
        delete details.dataset.loaded;
        body.textContent = "加载失败，请稍后重试。";
      });
  }, true);
})();
