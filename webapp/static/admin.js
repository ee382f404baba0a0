/* 法治报告检索 — place autocomplete on the edit and review forms. Without this file the inputs
   keep their <datalist> of the archive's names and the server checks every name anyway. */
(function () {
  "use strict";

  var LEVELS = ["town", "county", "city", "province"];

  function setup(input) {
    var list = document.createElement("ul");
    list.className = "suggestions";
    list.setAttribute("role", "listbox");
    list.id = "suggest-" + input.name + "-" + Math.random().toString(36).slice(2, 8);
    list.hidden = true;
    list.setAttribute("data-testid", "suggestions-" + input.getAttribute("data-place-level"));
    input.parentNode.appendChild(list);
    input.removeAttribute("list");  // our list replaces the browser's
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-expanded", "false");
    var items = [], active = -1, timer = null, asked = 0;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      active = -1;
    }

    function choose(item) {
      input.value = item.name;
      // Fill the empty levels above from what the archive (or gazetteer) knows of this place.
      Object.keys(item.parents || {}).forEach(function (level) {
        var other = input.form.querySelector('[data-place-level="' + level + '"]');
        if (other && !other.value.trim()) other.value = item.parents[level];
      });
      close();
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function render(found) {
      items = found;
      list.textContent = "";
      found.forEach(function (item, n) {
        var li = document.createElement("li");
        li.setAttribute("role", "option");
        li.setAttribute("data-value", item.name);
        li.textContent = item.name;
        var above = LEVELS.slice(LEVELS.indexOf(item.level) + 1).reverse()
          .map(function (l) { return (item.parents || {})[l]; }).filter(Boolean);
        if (above.length || item.source === "gazetteer") {
          var note = document.createElement("span");
          note.className = "muted";
          note.textContent = " " + above.join(" · ") + (item.source === "gazetteer" ? "（地名词典）" : "");
          li.appendChild(note);
        }
        li.addEventListener("mousedown", function (event) {
          event.preventDefault();  // keep the focus in the input
          choose(items[n]);
        });
        list.appendChild(li);
      });
      list.hidden = !found.length;
      input.setAttribute("aria-expanded", String(!list.hidden));
      active = -1;
    }

    function ask() {
      var mine = ++asked;
      var url = input.getAttribute("data-suggest-url") + "?level=" +
        encodeURIComponent(input.getAttribute("data-place-level")) + "&q=" + encodeURIComponent(input.value.trim());
      fetch(url, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (found) { if (mine === asked && document.activeElement === input) render(found); })
        .catch(function () {});
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 120);
    });
    input.addEventListener("focus", ask);
    input.addEventListener("blur", function () { setTimeout(close, 100); });
    input.addEventListener("keydown", function (event) {
      if (list.hidden) return;
      var options = list.querySelectorAll("li");
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        active = (active + (event.key === "ArrowDown" ? 1 : -1) + options.length) % options.length;
        options.forEach(function (o, n) { o.setAttribute("aria-selected", String(n === active)); });
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        choose(items[active]);
      } else if (event.key === "Escape") {
        close();
      }
    });
  }

  if (window.fetch) document.querySelectorAll("input[data-place-level]").forEach(setup);

  // "是否是：潼南区" choices put the name into the field they correct.
  document.addEventListener("change", function (event) {
    var radio = event.target.closest("input[data-choose]");
    if (!radio) return;
    var input = radio.form.querySelector('[data-place-level="' + radio.getAttribute("data-choose") + '"]');
    if (input) input.value = radio.value;
  });
})();

/* The review list's 全选本页: ticks every report box of the bulk form. Without JavaScript each
   box is ticked by hand. */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var all = event.target.closest("input[data-select-all]");
    if (!all) return;
    var form = all.getAttribute("data-select-all");
    document.querySelectorAll('input[type="checkbox"][form="' + form + '"]').forEach(function (box) {
      box.checked = all.checked;
    });
  });
})();
