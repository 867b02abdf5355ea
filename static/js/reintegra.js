/* Reintegra page behaviour. Loaded with `defer`; no inline scripts anywhere (CSP-friendly).
 *
 * - `data-confirm="Question?"` on a <form>, a submit <button>/<input> or a link asks
 *   window.confirm() first and cancels the action when the user says no.
 * - htmx requests carry the CSRF token (X-CSRFToken header) from the csrftoken cookie.
 * - `<button data-print>` prints the page.
 * - `<select data-autosubmit>` (and inputs with data-autosubmit) submit their form on change;
 *   elements with class `nojs-only` (e.g. a fallback "Apply" button) are hidden when JS runs.
 */
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  // htmx would add a <style> element for its request indicators when the page is ready; the
  // Content-Security-Policy (style-src 'self') refuses it, and reintegra.css has those rules.
  // This script runs (deferred) after htmx and before DOMContentLoaded, so in time.
  if (window.htmx) {
    window.htmx.config.includeIndicatorStyles = false;
  }

  function cookie(name) {
    var parts = document.cookie ? document.cookie.split(";") : [];
    for (var i = 0; i < parts.length; i++) {
      var item = parts[i].trim();
      if (item.substring(0, name.length + 1) === name + "=") {
        return decodeURIComponent(item.substring(name.length + 1));
      }
    }
    return null;
  }

  function csrfToken() {
    var token = cookie("csrftoken");
    if (token) return token;
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : null;
  }

  function cancel(event) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }

  // Submit buttons and links: listen in the capture phase so we run before htmx.
  document.addEventListener(
    "click",
    function (event) {
      var el = event.target.closest ? event.target.closest("[data-confirm]") : null;
      if (!el || el.tagName === "FORM") return;
      var isSubmit = (el.tagName === "BUTTON" && (el.type || "submit") === "submit") ||
        (el.tagName === "INPUT" && el.type === "submit");
      if (!isSubmit && el.tagName !== "A") return;
      if (!window.confirm(el.getAttribute("data-confirm"))) {
        cancel(event);
        return;
      }
      // The form's own data-confirm (if any) need not ask a second time.
      if (isSubmit && el.form) el.form.setAttribute("data-confirmed", "1");
    },
    true
  );

  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      if (!form.hasAttribute || !form.hasAttribute("data-confirm")) return;
      if (form.getAttribute("data-confirmed") === "1") {
        form.removeAttribute("data-confirmed");
        return;
      }
      if (!window.confirm(form.getAttribute("data-confirm"))) cancel(event);
    },
    true
  );

  document.addEventListener("htmx:configRequest", function (event) {
    var token = csrfToken();
    if (token) event.detail.headers["X-CSRFToken"] = token;
  });

  document.addEventListener("change", function (event) {
    var el = event.target;
    if (!el.hasAttribute || !el.hasAttribute("data-autosubmit") || !el.form) return;
    if (typeof el.form.requestSubmit === "function") {
      el.form.requestSubmit();
    } else {
      el.form.submit();
    }
  });

  document.addEventListener("click", function (event) {
    var el = event.target.closest ? event.target.closest("[data-print]") : null;
    if (el) window.print();
  });
})();
