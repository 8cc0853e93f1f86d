/*
 * Zorgpost's live updates and small conveniences of the conversation pages. Every page
 * works without this file (reload shows the same); with it:
 * - new messages, likes and "Gezien door" appear without a reload: the site relays the
 *   person's event stream (/messages/events, same origin; the token stays on the server)
 *   and the changed part of the page is fetched from the site again, rendered there;
 * - a like is sent without leaving the page;
 * - the access code of a secure mail opens the mail as soon as it is complete (seed 2);
 * - after registering, the conversation opens by itself after a countdown (seed 1), and
 *   the page that waits for one's joining a conversation opens it once one has joined.
 */
(function () {
  "use strict";

  var EVENT_KINDS = [
    "message.sent", "message.liked", "message.unliked", "thread.read", "thread.created",
    "participant.joined", "thread.assigned", "thread.withdrawn", "attachment.scanned", "resync"
  ];
  var FETCH_HEADERS = { "X-Requested-With": "fetch" };

  // ------------------------------------------------------------------ fetching a part again
  function Refresher(url, apply) {
    this.url = url;
    this.apply = apply;
    this.running = false;
    this.again = false;
  }
  Refresher.prototype.request = function () {
    var self = this;
    if (document.hidden) { self.again = true; return; } // "seen" only when it is seen
    if (self.running) { self.again = true; return; }
    self.running = true;
    self.again = false;
    fetch(self.url, { headers: FETCH_HEADERS, credentials: "same-origin" })
      .then(function (response) {
        if (response.redirected || !response.ok) { throw new Error("status " + response.status); }
        return response.text();
      })
      .then(function (html) { self.apply(html); })
      .catch(function () { /* the next event or a reload will bring it */ })
      .then(function () {
        self.running = false;
        if (self.again && !document.hidden) { self.request(); }
      });
  };

  function fragment(html) {
    var box = document.createElement("template");
    box.innerHTML = html;
    return box.content;
  }

  function announce(text) {
    var status = document.getElementById("live-status");
    if (!status || !text) { return; }
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  // Replaces an element, keeping the focus on "the same" control (data-focus-key).
  function replaceKeepingFocus(old, fresh) {
    var active = document.activeElement;
    var key = active && old.contains(active) ? active.getAttribute("data-focus-key") : null;
    old.replaceWith(fresh);
    enhanceLikes(fresh);
    if (key) {
      var again = fresh.querySelector('[data-focus-key="' + key + '"]');
      if (again) { again.focus(); }
    }
  }

  function mergeMessages(list, html) {
    var incoming = fragment(html).querySelectorAll("li.zp-message[id]");
    var empty = list.querySelector(".zp-message--empty");
    Array.prototype.forEach.call(incoming, function (item) {
      var existing = document.getElementById(item.id);
      if (existing) {
        if (existing.outerHTML !== item.outerHTML) { replaceKeepingFocus(existing, item); }
        return;
      }
      if (empty) { empty.remove(); empty = null; }
      list.appendChild(item);
      enhanceLikes(item);
      if (!item.hasAttribute("data-mine")) {
        var status = document.getElementById("live-status");
        var template = status ? status.getAttribute("data-new-message-text") || "" : "";
        announce(template.replace("{name}", item.getAttribute("data-sender") || ""));
      }
    });
  }

  function replaceList(list, html) {
    var active = document.activeElement;
    var focusedId = active && list.contains(active) ? active.closest("li[id]") : null;
    var id = focusedId ? focusedId.id : null;
    list.innerHTML = html;
    if (id) {
      var link = list.querySelector("#" + CSS.escape(id) + " a");
      if (link) { link.focus(); }
    }
  }

  // ------------------------------------------------------------------ the event stream
  function listen() {
    var thread = document.querySelector("[data-live-thread]");
    var list = document.querySelector("[data-live-list]");
    if ((!thread && !list) || !window.EventSource) { return; }
    var threadId = thread ? thread.getAttribute("data-live-thread") : null;
    var threadRefresh = thread ? new Refresher(thread.getAttribute("data-live-url"), function (html) {
      mergeMessages(thread, html);
    }) : null;
    var listRefresh = list ? new Refresher(list.getAttribute("data-live-list"), function (html) {
      replaceList(list, html);
    }) : null;
    var lastId = "";
    var delay = 3000;
    var source = null;

    function onEvent(event) {
      if (event.lastEventId) { lastId = event.lastEventId; }
      delay = 3000;
      var data = {};
      try { data = JSON.parse(event.data); } catch (error) { data = {}; }
      if (event.type === "resync") {
        if (threadRefresh) { threadRefresh.request(); }
        if (listRefresh) { listRefresh.request(); }
        return;
      }
      if (threadRefresh && data.thread_id === threadId) { threadRefresh.request(); }
      if (listRefresh) { listRefresh.request(); }
    }

    function connect() {
      source = new EventSource("/messages/events" + (lastId ? "?after=" + encodeURIComponent(lastId) : ""));
      EVENT_KINDS.forEach(function (kind) { source.addEventListener(kind, onEvent); });
      source.onerror = function () {
        // A closed stream (the site or gateway away, or signed out) is not retried by the
        // browser itself: try again later, resuming after the last event seen.
        if (source.readyState === EventSource.CLOSED) {
          source.close();
          window.setTimeout(connect, delay);
          delay = Math.min(delay * 2, 60000);
        }
      };
    }

    document.addEventListener("visibilitychange", function () {
      if (document.hidden) { return; }
      if (threadRefresh && threadRefresh.again) { threadRefresh.request(); }
      if (listRefresh && listRefresh.again) { listRefresh.request(); }
    });
    window.addEventListener("pagehide", function () { if (source) { source.close(); } });
    connect();
  }

  // ------------------------------------------------------------------ likes in place
  function enhanceLikes(root) {
    var forms = root.matches && root.matches("form[data-like-form]") ? [root] : root.querySelectorAll("form[data-like-form]");
    Array.prototype.forEach.call(forms, function (form) {
      if (form.hasAttribute("data-enhanced")) { return; }
      form.setAttribute("data-enhanced", "");
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var button = form.querySelector("button");
        fetch(form.action, { method: "POST", body: new FormData(form), headers: FETCH_HEADERS, credentials: "same-origin" })
          .then(function (response) {
            if (!response.ok) { throw new Error("status " + response.status); }
            return response.json();
          })
          .then(function (liked) {
            var action = form.querySelector("input[name=action]");
            if (action) { action.value = liked.liked_by_me ? "unlike" : "like"; }
            if (button) { button.setAttribute("aria-pressed", liked.liked_by_me ? "true" : "false"); }
            var count = form.parentNode.querySelector("[data-like-count]");
            if (count) { count.textContent = count.textContent.replace(/\d+/, String(liked.like_count)); }
          })
          .catch(function () { form.submit(); });
      });
    });
  }

  // ------------------------------------------------------------------ the access code
  function autoSubmitCodes() {
    document.querySelectorAll("[data-js-only]").forEach(function (element) { element.hidden = false; });
    document.querySelectorAll("input[data-auto-submit-length]").forEach(function (input) {
      var length = parseInt(input.getAttribute("data-auto-submit-length"), 10);
      var sent = false;
      input.addEventListener("input", function () {
        var digits = input.value.replace(/\D/g, "");
        if (!sent && digits.length === length && input.form) {
          sent = true;
          input.form.requestSubmit();
        }
        if (digits.length < length) { sent = false; }
      });
    });
  }

  // ------------------------------------------------------------------ countdowns, waiting
  function countdowns() {
    document.querySelectorAll("[data-countdown]").forEach(function (box) {
      var seconds = parseInt(box.getAttribute("data-countdown"), 10);
      var shown = box.querySelector("[data-countdown-seconds]");
      var timer = null;
      box.hidden = false;
      function tick() {
        seconds -= 1;
        if (shown) { shown.textContent = String(Math.max(seconds, 0)); }
        if (seconds <= 0) {
          window.clearInterval(timer);
          window.location.assign(box.getAttribute("data-countdown-href"));
        }
      }
      timer = window.setInterval(tick, 1000);
      var stop = box.querySelector("[data-countdown-stop]");
      if (stop) {
        stop.addEventListener("click", function () {
          window.clearInterval(timer);
          box.hidden = true;
        });
      }
    });
    var waiting = document.querySelector("[data-reload-when-ready]");
    if (waiting) {
      // Asks every few seconds whether the page is ready (200; 202 while not yet), and
      // only then loads it: what the waiting page says stays readable meanwhile.
      var ask = function () {
        fetch(waiting.getAttribute("data-reload-when-ready"), { headers: FETCH_HEADERS, credentials: "same-origin" })
          .then(function (response) {
            if (response.status === 200 && !response.redirected) { window.location.reload(); return; }
            window.setTimeout(ask, 2000);
          })
          .catch(function () { window.setTimeout(ask, 5000); });
      };
      window.setTimeout(ask, 2000);
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    enhanceLikes(document);
    autoSubmitCodes();
    countdowns();
    listen();
  });
})();
