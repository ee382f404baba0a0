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

  // Compare pickers: a type-ahead that asks the server (/compare/suggest) for the reports
  // matching what is typed, at most a screenful, in pinyin order; the chosen report stays.
  // Without JavaScript the 筛选 button renders the same list.
  document.querySelectorAll("[data-picker]").forEach(function (picker) {
    var input = picker.querySelector("[data-picker-filter]");
    var list = picker.querySelector("[data-picker-list]");
    var count = picker.querySelector("[data-picker-count]");
    var url = picker.getAttribute("data-suggest-url");
    if (!input || !list || !url || !window.fetch) return;
    var side = list.getAttribute("data-side"), timer = null, asked = 0;

    function option(item, checked) {
      var label = document.createElement("label");
      label.className = "picker-option";
      var radio = document.createElement("input");
      radio.type = "radio";
      radio.name = side;
      radio.value = item.id;
      radio.required = true;
      radio.checked = checked;
      var county = document.createElement("span");
      county.className = "muted";
      county.textContent = item.county;
      label.appendChild(radio);
      label.appendChild(document.createTextNode(" " + item.label + " "));
      label.appendChild(county);
      return label;
    }

    function render(found, typed) {
      var chosen = list.querySelector("input:checked");
      var keep = chosen ? chosen.closest("label") : null;
      list.textContent = "";
      if (keep) list.appendChild(keep);
      found.items.forEach(function (item) {
        if (!chosen || item.id !== chosen.value) list.appendChild(option(item, false));
      });
      if (count) {
        count.textContent = typed ? "匹配 " + found.count + " 份（共 " + found.total + " 份）" +
          (found.count > found.items.length ? "，显示前 " + found.items.length + " 份，请再输入些字缩小范围" : "")
          : "共 " + found.total + " 份：输入乡镇、县区或年份查找";
      }
    }

    function ask() {
      var mine = ++asked, typed = input.value.trim();
      fetch(url + "?q=" + encodeURIComponent(typed), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (found) { if (found && mine === asked) render(found, typed); })
        .catch(function () {});
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 150);
    });
    input.addEventListener("keydown", function (event) {  // Enter filters, it does not submit
      if (event.key === "Enter") { event.preventDefault(); clearTimeout(timer); ask(); }
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
