/* Amparo's only script, served from our origin (CSP script-src 'self'). Every page works
   without it; it only saves a phone some scrolling and reloads. */
(function () {
  "use strict";

  function openDetailsAround(element) {
    for (var d = element.closest("details"); d; d = d.parentElement.closest("details")) {
      d.open = true;
    }
  }

  /* Refused forms: show the fields folded away that have errors, then put the focus on the
     summary at the top (browsers that honour its autofocus have already done so). */
  function focusErrors() {
    document.querySelectorAll(".field.invalid").forEach(openDetailsAround);
    var summary = document.getElementById("error-summary");
    if (!summary) return;
    if (document.activeElement !== summary) summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var field = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!field) return;
      event.preventDefault();
      openDetailsAround(field);
      field.focus();
      field.scrollIntoView({ block: "center" });
    });
  }

  /* "Add a member" without a round trip: copy the first member's fields, renumber them, empty
     them, and take from the head the answers a family shares (the form's data-from-head).
     Without this script the button posts the form and the server adds the row. */

  function addMember(form, button) {
    var total = form.querySelector("input[name$='-TOTAL_FORMS']");
    var max = form.querySelector("input[name$='-MAX_NUM_FORMS']");
    var members = form.querySelectorAll("fieldset.member");
    var index = parseInt(total.value, 10);
    if (!members.length || index >= parseInt(max.value, 10)) return false;
    var head = members[0];
    var row = head.cloneNode(true);
    var from = /form-0-/g;
    var to = "form-" + index + "-";
    row.querySelectorAll("[id], [name], [for]").forEach(function (el) {
      ["id", "name", "for"].forEach(function (attr) {
        var value = el.getAttribute(attr);
        if (value) el.setAttribute(attr, value.replace(from, to));
      });
    });
    row.querySelectorAll(".error").forEach(function (el) { el.remove(); });
    row.querySelectorAll(".invalid").forEach(function (el) { el.classList.remove("invalid"); });
    row.querySelectorAll("details").forEach(function (d) { d.open = false; });
    row.querySelectorAll("input, select, textarea").forEach(function (el) {
      if (el.type === "checkbox" || el.type === "radio") el.checked = false;
      else if (el.tagName === "SELECT") el.selectedIndex = 0;
      else el.value = "";
    });
    (form.dataset.fromHead || "").split(" ").filter(Boolean).forEach(function (name) {
      var source = head.querySelector("[name='form-0-" + name + "']");
      var target = row.querySelector("[name='" + to + name + "']");
      if (source && target) target.value = source.value;
    });
    var legend = row.querySelector("legend");
    if (legend && form.dataset.memberLabel) {
      legend.textContent = form.dataset.memberLabel.replace("%(n)s", index + 1);
    }
    members[members.length - 1].after(row);
    total.value = index + 1;
    row.querySelector("input:not([type=hidden]), select").focus();
    return true;
  }

  function enableAddMember() {
    document.querySelectorAll("form[data-member-label]").forEach(function (form) {
      form.addEventListener("click", function (event) {
        var button = event.target.closest("button[name='add_member']");
        if (button && addMember(form, button)) event.preventDefault();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusErrors();
    enableAddMember();
  });
})();
