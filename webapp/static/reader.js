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
