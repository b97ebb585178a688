/* Factdesk: keyboard shortcuts and small helpers for the review workspace.
 *
 * The server decides everything: a verdict key clicks the verdict button, so validation (a rationale for
 * Disputed and False), permissions and conflicts are handled by the same request a mouse click makes.
 * No inline scripts, no eval: this file is loaded under a strict Content-Security-Policy.
 */
(function () {
  "use strict";

  // The keys this person is offered, each with its action (factcheck.presenters.SHORTCUTS, given by the page;
  // the shortcuts dialog lists the same ones). A key not given does nothing here.
  var KEYS = (function () {
    var data = document.getElementById("shortcut-keys");
    try { return data ? JSON.parse(data.textContent) : {}; } catch (e) { return {}; }
  })();

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

  // Background polls (the bell, the work-status banner) change nothing a shortcut acts on: they never make the
  // page busy, so keys pressed while one is on its way act at once.
  function foreground(handler) {
    return function (event) {
      var el = event.target;
      if (el && el.closest && el.closest("[data-background]")) return;
      handler(event);
    };
  }
  document.addEventListener("htmx:beforeRequest", foreground(function () { busy = true; busySince = Date.now(); }));
  document.addEventListener("htmx:afterSettle", foreground(setIdle));
  document.addEventListener("htmx:afterRequest", foreground(function (event) {
    if (!event.detail || !event.detail.successful) setIdle();
  }));
  document.addEventListener("htmx:sendError", foreground(setIdle));
  document.addEventListener("htmx:swapError", foreground(setIdle));

  function runShortcut(key) {
    if (busy && Date.now() - busySince < 5000) {
      queuedKey = key;
      return true;
    }
    var action = KEYS[key];
    if (action === "next-claim" || action === "previous-claim") {
      if (!document.getElementById("claim-list")) return false;
      moveSelection(action === "next-claim" ? 1 : -1);
      return true;
    }
    if (action === "verdict") {
      var button = document.querySelector('#claim-panel [data-verdict-key="' + key + '"]');
      if (button && !button.disabled) {
        button.click();
        return true;
      }
      return false;
    }
    if (action === "offer") {
      // A published check offered on the claim (same claim, or not the same): the first undecided check in
      // view; one folded under "possibly checked" counts once it is opened.
      var buttons = document.querySelectorAll('#claim-panel [data-offer-key="' + key + '"]');
      for (var i = 0; i < buttons.length; i++) {
        if (!buttons[i].disabled && !buttons[i].closest("details:not([open])")) {
          buttons[i].click();
          return true;
        }
      }
      return false;
    }
    if (action === "evidence" || action === "rationale" || action === "note") return focusField(action);
    if (FLOW_ACTIONS[action]) return FLOW_ACTIONS[action]();
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
    if (KEYS[event.key] === "shortcuts") {
      event.preventDefault();
      toggleShortcuts();
      return;
    }
    var dialog = document.getElementById("shortcuts");
    if (dialog && dialog.open) return;
    var key = event.key;
    if (event.shiftKey || key.length !== 1 || !KEYS[key]) return;
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

  // --- Claims a person adds or corrects, undo, next unreviewed claim -------------------------------------
  // Adding the selected text as a claim, making it the selected claim's span, splitting the selected claim where
  // the caret is (a click in its text); undoing your last verdict while its notice shows; the next unreviewed
  // claim (the queue's next when the article was opened from the queue). The server finds the exact offsets and
  // refuses what doesn't fit; the offsets sent here are computed from each piece's place in the body.
  var UNDO_MS = 8000;
  var PENDING_UNDO = "factdesk.pendingUndo";
  var AUTO_ADVANCE = "factdesk.autoAdvance";
  var FLOW_ACTIONS = {
    "next-unreviewed": function () { return nextUnreviewed(); },
    "undo": function () { return undo(); },
    "add-claim": function () { return spanSubmit("add"); },
    "set-span": function () { return spanSubmit("span"); },
    "split-claim": function () { return spanSubmit("split"); }
  };

  function storage(kind) {
    try { return window[kind]; } catch (e) { return null; }
  }

  function shortened(text, size) {
    text = text.replace(/\s+/g, " ").trim();
    return text.length > size ? text.slice(0, size - 1) + "…" : text;
  }

  function flowMessage(text) {
    var el = document.getElementById("flow-message");
    if (!el) return;
    el.textContent = text;
    el.hidden = false;
    window.clearTimeout(flowMessage.timer);
    flowMessage.timer = window.setTimeout(function () { el.hidden = true; }, 4000);
  }

  // The undo notice. Kept for the session, so it survives the move to another article (the queue's next).
  var undoTimer = null;

  function showUndo(pending) {
    var toast = document.getElementById("undo-toast");
    var left = pending.until - Date.now();
    if (!toast || left <= 0) return hideUndo();
    var form = document.getElementById("undo-form");
    toast.querySelector("[data-undo-text]").textContent =
      "Marked “" + pending.label + "”" + (pending.snippet ? ": " + pending.snippet : ".");
    form.setAttribute("action", pending.url);
    form.setAttribute("data-claim", pending.claim);
    form.querySelector('input[name="version"]').value = pending.version;
    toast.hidden = false;
    var session = storage("sessionStorage");
    if (session) session.setItem(PENDING_UNDO, JSON.stringify(pending));
    window.clearTimeout(undoTimer);
    undoTimer = window.setTimeout(hideUndo, left);
  }

  function hideUndo() {
    var toast = document.getElementById("undo-toast");
    if (toast) toast.hidden = true;
    var session = storage("sessionStorage");
    if (session) session.removeItem(PENDING_UNDO);
  }

  function restoreUndo() {
    var toast = document.getElementById("undo-toast");
    var session = storage("sessionStorage");
    if (!toast || !toast.hidden || !session) return;
    try {
      var pending = JSON.parse(session.getItem(PENDING_UNDO) || "null");
      if (pending) showUndo(pending);
    } catch (e) {
      session.removeItem(PENDING_UNDO);
    }
  }

  function undo() {
    var toast = document.getElementById("undo-toast");
    if (!toast || toast.hidden) return false;
    document.getElementById("undo-form").requestSubmit();
    return true;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.id !== "undo-form") return;
    var claim = form.getAttribute("data-claim");
    hideUndo();
    // A claim of this article: its panel comes back in place. Another article's: an ordinary POST opens it.
    if (document.getElementById("claim-row-" + claim) && window.htmx) {
      event.preventDefault();
      window.htmx.ajax("POST", form.getAttribute("action"), { source: form, target: "#claim-panel", swap: "outerHTML" });
    }
  });

  // Next unreviewed claim: in the queue's order when the article was opened from the queue, else in this list.
  function nextUnreviewed() {
    var grid = document.querySelector(".workspace-grid");
    var queueNext = grid && grid.getAttribute("data-queue-next");
    var id = selectedClaimId();
    if (queueNext) {
      window.location.assign(queueNext + "&from_claim=" + encodeURIComponent(id || ""));
      return true;
    }
    var rows = Array.prototype.slice.call(document.querySelectorAll("#claim-list .claim-row"));
    var current = -1;
    rows.forEach(function (row, i) { if (row.id === "claim-row-" + id) current = i; });
    for (var step = 1; step <= rows.length; step++) {
      var row = rows[(current + step) % rows.length];
      if (row.classList.contains("v-unreviewed") && row.id !== "claim-row-" + id) {
        row.querySelector(".claim-link").click();
        return true;
      }
    }
    flowMessage("No unreviewed claims left in this article.");
    return true;
  }

  function autoAdvanceOn() {
    var local = storage("localStorage");
    return !!local && local.getItem(AUTO_ADVANCE) === "1";
  }

  function syncAutoAdvance() {
    var toggle = document.querySelector("[data-auto-advance]");
    if (toggle) toggle.checked = autoAdvanceOn();
  }

  document.addEventListener("change", function (event) {
    var toggle = event.target;
    if (!toggle.matches || !toggle.matches("[data-auto-advance]")) return;
    var local = storage("localStorage");
    if (local) local.setItem(AUTO_ADVANCE, toggle.checked ? "1" : "0");
    toggle.blur();  // so the next key is a shortcut again
  });

  var advancePending = false;

  document.addEventListener("verdictChanged", function (event) {
    var detail = event.detail || {};
    if (!detail.undo) return;
    var snippet = document.querySelector("#claim-row-" + detail.claim + " .claim-snippet");
    showUndo({ url: detail.undo, version: detail.version, claim: String(detail.claim), label: detail.label,
               snippet: snippet ? shortened(snippet.textContent, 60) : "", until: Date.now() + UNDO_MS });
    advancePending = detail.verdict !== "unreviewed" && autoAdvanceOn();
  });

  // Evidence added: back to the claim list, so the next j moves the selection instead of typing in a field.
  document.addEventListener("evidenceAdded", function () {
    var link = document.querySelector("#claim-list .claim-row.is-selected .claim-link");
    if (link) link.focus();
  });

  // --- Selecting text in the article ---
  function pieceOf(node) {
    var el = node.nodeType === 1 ? node : node.parentElement;
    return el && el.closest ? el.closest("#article-text [data-s]") : null;
  }

  function bodyText(range) {
    // The body's characters in a range: the verdict markers left out, a <br> is the line break it stands for.
    var fragment = range.cloneContents();
    fragment.querySelectorAll(".hl-marker, .sr-only").forEach(function (el) { el.remove(); });
    fragment.querySelectorAll("br").forEach(function (br) { br.replaceWith("\n"); });
    return fragment.textContent;
  }

  function pieceStart(piece) {
    return parseInt(piece.getAttribute("data-s"), 10);
  }

  function boundary(node, offset, isEnd) {
    var piece = pieceOf(node);
    var range = document.createRange();
    if (piece) {
      range.setStart(piece, 0);
      range.setEnd(node, offset);
      return pieceStart(piece) + bodyText(range).length;
    }
    // Between pieces (a paragraph's edge): the next piece's start, or the previous piece's end.
    range.setStart(node, offset);
    var pieces = document.querySelectorAll("#article-text [data-s]");
    var before = null;
    for (var i = 0; i < pieces.length; i++) {
      if (range.comparePoint(pieces[i], 0) >= 0) {
        if (!isEnd) return pieceStart(pieces[i]);
        break;
      }
      before = pieces[i];
    }
    if (!isEnd || !before) return null;
    var whole = document.createRange();
    whole.selectNodeContents(before);
    return pieceStart(before) + bodyText(whole).length;
  }

  function readSelection() {
    var text = document.getElementById("article-text");
    var selection = window.getSelection();
    if (!text || !selection || !selection.rangeCount) return null;
    var range = selection.getRangeAt(0);
    if (!text.contains(range.startContainer) || !text.contains(range.endContainer)) return null;
    var start = boundary(range.startContainer, range.startOffset, false);
    if (start === null) return null;
    if (range.collapsed) return { start: start, end: start, text: "", collapsed: true };
    var end = boundary(range.endContainer, range.endOffset, true);
    if (end === null || end <= start) return null;
    return { start: start, end: end, text: bodyText(range), collapsed: false };
  }

  function selectedClaim() {
    var id = selectedClaimId();
    var mark = id && document.querySelector('.hl[data-claim="' + id + '"]');
    var version = document.querySelector('#claim-panel #verdict-form input[name="version"]');
    if (!mark || !version) return null;
    return { id: id, start: parseInt(mark.getAttribute("data-cs"), 10), end: parseInt(mark.getAttribute("data-ce"), 10),
             version: version.value };
  }

  var spanState = null;

  function updateSpanTools() {
    var tools = document.getElementById("span-tools");
    if (!tools) return;
    var form = document.getElementById("span-form");
    var state = readSelection();
    var claim = selectedClaim();
    var canAdd = !!state && !state.collapsed;
    var canSpan = canAdd && !!claim && state.start < claim.end && claim.start < state.end;
    var canSplit = !!state && !!claim && state.start > claim.start && state.start < claim.end;
    spanState = canAdd || canSplit ? state : null;
    form.hidden = !spanState;
    tools.querySelector("[data-span-hint]").hidden = !!spanState;
    if (!spanState) return;
    form.querySelector('[data-span-action="add"]').hidden = !canAdd;
    form.querySelector('[data-span-action="span"]').hidden = !canSpan;
    form.querySelector('[data-span-action="split"]').hidden = !canSplit;
    form.querySelector("[data-span-label]").textContent = canAdd ? "Selected" : "Split into";
    form.querySelector("[data-span-text]").textContent = canAdd ? shortened(state.text, 160) : splitPreview(claim, state);
  }

  function splitPreview(claim, state) {
    // The claim's text as highlighted, cut where the caret is: "…first part ‖ second part…".
    var pieces = document.querySelectorAll('.hl[data-claim="' + claim.id + '"]');
    var text = Array.prototype.map.call(pieces, function (piece) {
      var range = document.createRange();
      range.selectNodeContents(piece);
      return bodyText(range);
    }).join(" ");
    var cut = state.start - pieceStart(pieces[0]);
    var before = text.slice(0, cut).replace(/\s+/g, " ").trim();
    var after = shortened(text.slice(cut), 50);
    return (before.length > 50 ? "…" + before.slice(-49) : before) + " ‖ " + after;
  }

  function spanSubmit(action) {
    // A key pressed right after selecting can come before the browser's selectionchange event: read it now.
    updateSpanTools();
    var tools = document.getElementById("span-tools");
    var form = document.getElementById("span-form");
    if (!tools || !form || form.hidden || !spanState || !window.htmx) return false;
    var button = form.querySelector('[data-span-action="' + action + '"]');
    if (!button || button.hidden) return false;
    var claim = selectedClaim();
    var url = tools.getAttribute("data-add-url");
    if (action !== "add") {
      if (!claim) return false;
      url = tools.getAttribute("data-" + action + "-url").replace("/0/", "/" + claim.id + "/");
    }
    // Opened from the queue: the answer keeps the queue's flow (n, auto-advance).
    var grid = document.querySelector(".workspace-grid");
    var queueNext = grid && grid.getAttribute("data-queue-next");
    if (queueNext) url += "?queue=" + encodeURIComponent(queueNext.slice(queueNext.indexOf("?") + 1));
    var values = { start: spanState.start, end: spanState.end, text: spanState.text, at: spanState.start,
                   version: claim ? claim.version : "" };
    Object.keys(values).forEach(function (name) { form.querySelector('input[name="' + name + '"]').value = values[name]; });
    window.getSelection().removeAllRanges();
    window.htmx.ajax("POST", url, { source: form, target: "#main", swap: "outerHTML", select: "#main" });
    return true;
  }

  // Claims in the text are links, and a browser neither selects text dragged inside a link nor puts the caret
  // where one is clicked. For people who can edit claims both are done here: a drag selects (and opens nothing),
  // a click puts the caret at the point (the split point) and selects the claim as before.
  var drag = null;

  function caretAt(x, y) {
    if (document.caretRangeFromPoint) return document.caretRangeFromPoint(x, y);
    var position = document.caretPositionFromPoint && document.caretPositionFromPoint(x, y);
    if (!position) return null;
    var range = document.createRange();
    range.setStart(position.offsetNode, position.offset);
    return range;
  }

  document.addEventListener("mousedown", function (event) {
    drag = null;
    if (event.button !== 0 || event.shiftKey || !event.target.closest) return;
    if (!event.target.closest("#article-text .hl") || !document.getElementById("span-tools")) return;
    var anchor = caretAt(event.clientX, event.clientY);
    if (!anchor) return;
    event.preventDefault();  // no dragging of the link
    drag = { anchor: anchor, x: event.clientX, y: event.clientY, moved: false };
  });

  document.addEventListener("mousemove", function (event) {
    if (!drag || !(event.buttons & 1)) return;
    if (!drag.moved && Math.abs(event.clientX - drag.x) + Math.abs(event.clientY - drag.y) < 4) return;
    var focus = caretAt(event.clientX, event.clientY);
    var text = document.getElementById("article-text");
    if (!focus || !text || !text.contains(focus.startContainer)) return;
    drag.moved = true;
    window.getSelection().setBaseAndExtent(
      drag.anchor.startContainer, drag.anchor.startOffset, focus.startContainer, focus.startOffset);
  });

  document.addEventListener("mouseup", function () {
    if (drag && !drag.moved) window.getSelection().collapse(drag.anchor.startContainer, drag.anchor.startOffset);
  });

  // Before the link's own handler (capture): a drag that ended on a claim selected text, it opens nothing.
  document.addEventListener("click", function (event) {
    var dragged = drag && drag.moved;
    drag = null;
    if (dragged && event.target.closest && event.target.closest("#article-text")) {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);

  document.addEventListener("selectionchange", updateSpanTools);
  // A click on a button of the tools must not collapse the selection it acts on.
  document.addEventListener("mousedown", function (event) {
    if (event.target.closest && event.target.closest("#span-tools button")) event.preventDefault();
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("#span-tools [data-span-action]");
    if (button) spanSubmit(button.getAttribute("data-span-action"));
  });

  document.addEventListener("htmx:afterSettle", function () {
    syncAutoAdvance();
    restoreUndo();
    updateSpanTools();
    if (advancePending) {
      advancePending = false;
      nextUnreviewed();
    }
  });

  syncAutoAdvance();
  restoreUndo();

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
