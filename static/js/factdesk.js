/* Factdesk: keyboard shortcuts and small helpers for the review workspace.
 *
 * The server decides everything: a verdict key clicks the verdict button, so validation (a rationale for
 * Disputed and False), permissions and conflicts are handled by the same request a mouse click makes.
 * No inline scripts, no eval: this file is loaded under a strict Content-Security-Policy.
 */
(function () {
  "use strict";

  var VERDICT_KEYS = { v: true, d: true, f: true, u: true, x: true };
  // A published check offered on the claim: c = the same claim, n = not the same.
  var OFFER_KEYS = { c: true, n: true };

  function isTyping(target) {
    if (!target || target === document.body) return false;
    if (target.isContentEditable) return true;
    var tag = target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }

  function claimLinks() {
    return Array.prototype.slice.call(document.querySelectorAll("#claim-list .claim-link"));
  }

  function selectedClaimId() {
    var panel = document.getElementById("claim-panel");
    return panel ? panel.getAttribute("data-claim") : null;
  }

  function markSelected() {
    var id = selectedClaimId();
    document.querySelectorAll(".claim-row.is-selected, .hl.is-selected").forEach(function (el) {
      el.classList.remove("is-selected");
    });
    document.querySelectorAll('.claim-link[aria-current="true"]').forEach(function (el) {
      el.removeAttribute("aria-current");
    });
    if (!id) return;
    var row = document.getElementById("claim-row-" + id);
    if (row) {
      row.classList.add("is-selected");
      var link = row.querySelector(".claim-link");
      if (link) link.setAttribute("aria-current", "true");
    }
    document.querySelectorAll('.hl[data-claim="' + id + '"]').forEach(function (el) {
      el.classList.add("is-selected");
    });
  }

  function scrollSelectedIntoView() {
    var id = selectedClaimId();
    if (!id) return;
    var row = document.getElementById("claim-row-" + id);
    if (row) row.scrollIntoView({ block: "nearest" });
    var mark = document.querySelector('.hl[data-claim="' + id + '"]');
    if (mark) {
      var box = mark.getBoundingClientRect();
      if (box.top < 80 || box.bottom > window.innerHeight - 40) mark.scrollIntoView({ block: "center" });
    }
  }

  function moveSelection(step) {
    var links = claimLinks();
    if (!links.length) return;
    var id = selectedClaimId();
    var index = -1;
    for (var i = 0; i < links.length; i++) {
      if (links[i].getAttribute("data-claim") === id) index = i;
    }
    var next = index === -1 ? (step > 0 ? 0 : links.length - 1) : index + step;
    if (next < 0 || next >= links.length) return;
    links[next].click();
  }

  function focusField(name) {
    var field = document.querySelector('#claim-panel [data-shortcut-target="' + name + '"]');
    if (field) {
      field.focus();
      if (field.scrollIntoView) field.scrollIntoView({ block: "nearest" });
      return true;
    }
    return false;
  }

  function toggleShortcuts() {
    var dialog = document.getElementById("shortcuts");
    if (!dialog) return;
    if (dialog.open) dialog.close();
    else dialog.showModal();
  }

  // While a request is on its way (or its answer is being settled), new content isn't wired up yet:
  // a key pressed then would act on stale controls. Keep the last key and replay it once settled.
  var busy = false;
  var busySince = 0;
  var queuedKey = null;

  function setIdle() {
    busy = false;
    if (queuedKey !== null) {
      var key = queuedKey;
      queuedKey = null;
      window.setTimeout(function () { runShortcut(key); }, 0);
    }
  }

  document.addEventListener("htmx:beforeRequest", function () { busy = true; busySince = Date.now(); });
  document.addEventListener("htmx:afterSettle", setIdle);
  document.addEventListener("htmx:afterRequest", function (event) {
    if (!event.detail || !event.detail.successful) setIdle();
  });
  document.addEventListener("htmx:sendError", setIdle);
  document.addEventListener("htmx:swapError", setIdle);

  function runShortcut(key) {
    if (busy && Date.now() - busySince < 5000) {
      queuedKey = key;
      return true;
    }
    if (key === "j" || key === "k") {
      if (!document.getElementById("claim-list")) return false;
      moveSelection(key === "j" ? 1 : -1);
      return true;
    }
    if (VERDICT_KEYS[key]) {
      var button = document.querySelector('#claim-panel [data-verdict-key="' + key + '"]');
      if (button && !button.disabled) {
        button.click();
        return true;
      }
      return false;
    }
    if (OFFER_KEYS[key]) {
      // The first undecided check in view: one folded under "possibly checked" counts once it is opened.
      var buttons = document.querySelectorAll('#claim-panel [data-offer-key="' + key + '"]');
      for (var i = 0; i < buttons.length; i++) {
        if (!buttons[i].disabled && !buttons[i].closest("details:not([open])")) {
          buttons[i].click();
          return true;
        }
      }
      return false;
    }
    if (key === "e") return focusField("evidence");
    if (key === "r") return focusField("rationale");
    return false;
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
    var target = event.target;
    if (isTyping(target)) {
      // Esc leaves a field, so the shortcuts work again.
      if (event.key === "Escape" && target.closest && target.closest("#claim-panel")) target.blur();
      return;
    }
    if (event.key === "?") {
      event.preventDefault();
      toggleShortcuts();
      return;
    }
    var dialog = document.getElementById("shortcuts");
    if (dialog && dialog.open) return;
    var key = event.key;
    if (event.shiftKey || key.length !== 1) return;
    if (key !== "j" && key !== "k" && key !== "e" && key !== "r" && !VERDICT_KEYS[key] && !OFFER_KEYS[key]) return;
    if (!document.getElementById("claim-panel")) return;
    if (runShortcut(key)) event.preventDefault();
  });

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest && event.target.closest("[data-shortcuts-toggle]");
    if (toggle) toggleShortcuts();
  });

  var initialPanel = document.getElementById("claim-panel");
  var lastPanelClaim = initialPanel ? initialPanel.getAttribute("data-claim") : null;

  document.addEventListener("htmx:afterSettle", function (event) {
    var panel = document.getElementById("claim-panel");
    if (!panel) return;
    if (event.target === panel || (event.detail && event.detail.elt === panel)) {
      var id = panel.getAttribute("data-claim");
      if (id !== lastPanelClaim) {
        // Another claim: show its panel from the top.
        var column = panel.closest(".col-panel");
        if (column) column.scrollTop = 0;
        lastPanelClaim = id;
      }
      markSelected();
      scrollSelectedIntoView();
      var autofocus = panel.querySelector("[autofocus]");
      if (autofocus) autofocus.focus();
    }
  });

  // A claim that crosses a paragraph break is highlighted in pieces; update every piece.
  document.addEventListener("verdictChanged", function (event) {
    var detail = event.detail || {};
    if (!detail.claim) return;
    document.querySelectorAll('.hl[data-claim="' + detail.claim + '"]').forEach(function (el) {
      el.className = el.className.replace(/\bv-[a-z_]+\b/, "v-" + detail.verdict);
      var marker = el.querySelector(".hl-marker");
      if (marker) marker.textContent = detail.marker;
    });
  });

  // A cluster action (apply a verdict to a cluster, merge, undo, split) names every claim it changed. Rows and
  // single-piece highlights come out of band in the answer; a claim highlighted in pieces is updated here.
  document.addEventListener("claimsChanged", function (event) {
    var verdicts = (event.detail && event.detail.verdicts) || {};
    Object.keys(verdicts).forEach(function (id) {
      var v = verdicts[id];
      document.querySelectorAll('.hl[data-claim="' + id + '"]').forEach(function (el) {
        el.className = el.className.replace(/\bv-[a-z_]+\b/, "v-" + v.verdict);
        var marker = el.querySelector(".hl-marker");
        if (marker) marker.textContent = v.marker;
      });
    });
    markSelected();
  });

  // A preview of a cluster action opens in its slot; Cancel closes it (without JavaScript it is a link back).
  document.addEventListener("click", function (event) {
    var cancel = event.target.closest && event.target.closest("[data-preview-cancel]");
    if (!cancel) return;
    var slot = cancel.closest(".cluster-preview-slot");
    if (!slot) return;
    event.preventDefault();
    slot.innerHTML = "";
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var slot = event.detail && event.detail.target;
    if (!slot || !slot.classList || !slot.classList.contains("cluster-preview-slot")) return;
    var preview = slot.querySelector(".cluster-preview");
    if (preview) {
      preview.focus({ preventScroll: true });
      preview.scrollIntoView({ block: "nearest" });
    }
  });

  // m: write a note on the selected claim (its own listener, so the review keys above stay as they are).
  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    if (event.key !== "m" || isTyping(event.target)) return;
    var dialog = document.getElementById("shortcuts");
    if (dialog && dialog.open) return;
    if (focusField("note")) event.preventDefault();
  });

  // Typing "@na" in a note suggests colleagues whose username starts with "na": arrow keys choose, Enter or Tab
  // (or a click) puts the name in. One shared list, moved under the box being typed in.
  var MENTION_BEFORE_CARET = /(^|[^\w@.+-])@([\w.@+-]{1,150})$/;
  var mentionList = null;
  var mentionBox = null;
  var mentionTimer = null;
  var mentionActive = -1;

  function mentionOptions() {
    return mentionList ? Array.prototype.slice.call(mentionList.querySelectorAll("[role=option]")) : [];
  }

  function closeMentions() {
    if (mentionList) mentionList.hidden = true;
    if (mentionBox) {
      mentionBox.setAttribute("aria-expanded", "false");
      mentionBox.removeAttribute("aria-activedescendant");
    }
    mentionActive = -1;
  }

  function highlightMention(index) {
    var options = mentionOptions();
    if (!options.length) return;
    mentionActive = (index + options.length) % options.length;
    options.forEach(function (option, i) { option.setAttribute("aria-selected", i === mentionActive ? "true" : "false"); });
    mentionBox.setAttribute("aria-activedescendant", options[mentionActive].id);
  }

  function insertMention(name) {
    var box = mentionBox;
    var before = box.value.slice(0, box.selectionStart);
    var match = MENTION_BEFORE_CARET.exec(before);
    if (!match) return closeMentions();
    var start = before.length - match[2].length;
    box.value = box.value.slice(0, start) + name + " " + box.value.slice(box.selectionStart);
    box.selectionStart = box.selectionEnd = start + name.length + 1;
    closeMentions();
    box.focus();
  }

  function showMentions(box, names) {
    if (!mentionList) {
      mentionList = document.createElement("ul");
      mentionList.id = "mention-suggestions";
      mentionList.className = "mention-suggestions";
      mentionList.setAttribute("role", "listbox");
      mentionList.setAttribute("aria-label", "Colleagues to mention");
      mentionList.addEventListener("mousedown", function (event) {
        var option = event.target.closest("[role=option]");
        if (!option) return;
        event.preventDefault();
        insertMention(option.getAttribute("data-name"));
      });
    }
    if (box.nextElementSibling !== mentionList) box.insertAdjacentElement("afterend", mentionList);
    mentionBox = box;
    box.setAttribute("aria-controls", mentionList.id);
    mentionList.textContent = "";
    names.forEach(function (name, i) {
      var option = document.createElement("li");
      option.id = "mention-option-" + i;
      option.setAttribute("role", "option");
      option.setAttribute("data-name", name);
      option.textContent = "@" + name;
      mentionList.appendChild(option);
    });
    if (!names.length) return closeMentions();
    mentionList.hidden = false;
    box.setAttribute("aria-expanded", "true");
    highlightMention(0);
  }

  document.addEventListener("input", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("textarea[data-mentions]")) return;
    window.clearTimeout(mentionTimer);
    var match = MENTION_BEFORE_CARET.exec(box.value.slice(0, box.selectionStart));
    if (!match) return closeMentions();
    mentionTimer = window.setTimeout(function () {
      fetch(box.getAttribute("data-mentions") + "?q=" + encodeURIComponent(match[2]), {
        headers: { Accept: "application/json" }, credentials: "same-origin",
      })
        .then(function (response) { return response.ok ? response.json() : { people: [] }; })
        .then(function (data) { if (document.activeElement === box) showMentions(box, data.people || []); })
        .catch(closeMentions);
    }, 120);
  });

  // Capture: runs before the shortcuts' handler, so Esc closes the list rather than leaving the box.
  document.addEventListener("keydown", function (event) {
    if (!mentionList || mentionList.hidden || event.target !== mentionBox) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      highlightMention(mentionActive + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter" || event.key === "Tab") {
      var option = mentionOptions()[mentionActive];
      if (!option) return;
      insertMention(option.getAttribute("data-name"));
    } else if (event.key === "Escape") {
      closeMentions();
    } else {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
  }, true);

  document.addEventListener("focusout", function (event) {
    if (event.target === mentionBox) closeMentions();
  });

  // The script is deferred: the page is parsed when this runs.
  scrollSelectedIntoView();
})();
