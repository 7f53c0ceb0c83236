// The portal's only script, and only an enhancement: every page works without it.
// It keeps the application form as a draft in this browser (never the ID number),
// clears the draft once the application is sent, and offers printing the receipt.
(function () {
  "use strict";
  var store;
  try { store = window.localStorage; } catch (e) { store = null; }

  function fieldsOf(form) {
    return form.querySelectorAll("input[name], textarea[name], select[name]");
  }

  function save(form, key) {
    var data = {};
    var fields = fieldsOf(form);
    for (var i = 0; i < fields.length; i++) {
      var f = fields[i];
      if (f.type === "hidden" || f.type === "file" || f.hasAttribute("data-no-draft")) continue;
      if (f.type === "radio") { if (f.checked) data[f.name] = f.value; continue; }
      data[f.name] = f.value;
    }
    try { store.setItem(key, JSON.stringify(data)); } catch (e) { /* full or refused */ }
  }

  function restore(form, key) {
    var raw = store.getItem(key);
    if (!raw) return;
    var data;
    try { data = JSON.parse(raw); } catch (e) { return; }
    var fields = fieldsOf(form);
    for (var i = 0; i < fields.length; i++) {
      var f = fields[i];
      if (!(f.name in data) || f.type === "hidden" || f.type === "file") continue;
      if (f.type === "radio") { f.checked = f.value === data[f.name]; continue; }
      // What the server sent back (a form with errors) wins over the draft.
      if (!f.value) f.value = data[f.name];
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (store) {
      var forms = document.querySelectorAll("form[data-draft]");
      for (var i = 0; i < forms.length; i++) {
        (function (form) {
          var key = "gongkai-draft-" + form.getAttribute("data-draft");
          restore(form, key);
          form.addEventListener("input", function () { save(form, key); });
          form.addEventListener("change", function () { save(form, key); });
          var note = form.querySelector(".draft-note");
          if (note) note.hidden = false;
        })(forms[i]);
      }
      var clear = document.querySelectorAll("[data-clear-draft]");
      for (var j = 0; j < clear.length; j++) {
        clear[j].addEventListener("click", function (ev) {
          store.removeItem("gongkai-draft-" + ev.target.getAttribute("data-clear-draft"));
          ev.target.textContent = "草稿已清除";
        });
      }
      var done = document.querySelectorAll("[data-clear-draft-on-load]");
      for (var k = 0; k < done.length; k++) {
        store.removeItem("gongkai-draft-" + done[k].getAttribute("data-clear-draft-on-load"));
      }
    }
    var print = document.querySelectorAll("[data-print]");
    for (var p = 0; p < print.length; p++) {
      print[p].hidden = false;
      print[p].addEventListener("click", function () { window.print(); });
    }
  });
})();
