/* The distribution point without a connection (assistance/_offline.html). No build step, no
   library: a service worker (/assistance/sw.js) keeps the page's files, IndexedDB keeps the
   cycle's list and the deliveries queued on this phone.

   Every delivery made here is first written to the queue with its own idempotency key
   (crypto.randomUUID), then sent to POST /api/v1/entitlements/{id}/deliver/ with that key:
   201/200 → sent (a retry of the same key is answered with the first delivery, never a second);
   409 → a conflict (delivered elsewhere first), shown with the server's words, not counted;
   another 4xx → refused, shown; 5xx, a network error or a timeout → stays queued. Sent again on
   the "online" event, every 30 s while anything waits, and with "Send now".

   The list (personal data: references, card numbers, given names) is deleted at its
   `expires_at`, when the cycle is no longer open, when another account signs in on this phone
   and on sign-out from this page. Queued deliveries are kept until they are sent: they are
   sent only for the account that recorded them. */
(function () {
  "use strict";

  var root = document.getElementById("offline");
  if (!root || !window.indexedDB || !window.fetch) return;

  var DB_NAME = "amparo-offline";
  var SHELL_CACHE = "amparo-shell";
  var RETRY_MS = 30000;
  var REQUEST_TIMEOUT_MS = 10000;
  var CARD_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

  var strings = {};
  root.querySelectorAll("[data-s]").forEach(function (el) {
    strings[el.getAttribute("data-s")] = el.textContent.trim().replace(/\s+/g, " ");
  });
  function t(key, values) {
    return (strings[key] || key).replace(/\{(\w+)\}/g, function (all, name) {
      return values && name in values ? values[name] : all;
    });
  }

  var match = location.pathname.match(/\/assistance\/cycles\/([0-9a-f-]{36})\//);
  var cycleId = root.getAttribute("data-cycle") || (match && match[1]) || "";
  var csrf = root.getAttribute("data-csrf") || "";
  var currentUser = null; // the signed-in account's id, once the server said so
  var list = null; // the downloaded list of this cycle
  var byCard = {};
  var byReference = {};
  var queue = []; // every queued delivery of this cycle
  var syncing = false;

  function $(id) { return document.getElementById(id); }

  /* IndexedDB: "lists" (one record per cycle) and "queue" (one per delivery, by key). */

  var dbPromise = null;
  function db() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var open = indexedDB.open(DB_NAME, 1);
        open.onupgradeneeded = function () {
          open.result.createObjectStore("lists", { keyPath: "cycle.id" });
          var q = open.result.createObjectStore("queue", { keyPath: "key" });
          q.createIndex("cycle", "cycle");
        };
        open.onsuccess = function () { resolve(open.result); };
        open.onerror = function () { reject(open.error); };
      });
    }
    return dbPromise;
  }
  function store(name, mode, work) {
    return db().then(function (database) {
      return new Promise(function (resolve, reject) {
        var tx = database.transaction(name, mode);
        var result = work(tx.objectStore(name));
        tx.oncomplete = function () { resolve(result && "result" in result ? result.result : result); };
        tx.onerror = function () { reject(tx.error); };
        tx.onabort = function () { reject(tx.error); };
      });
    });
  }
  function getList() { return store("lists", "readonly", function (s) { return s.get(cycleId); }); }
  function putList(value) { return store("lists", "readwrite", function (s) { s.put(value); }); }
  function deleteList(id) { return store("lists", "readwrite", function (s) { s.delete(id); }); }
  function allLists() { return store("lists", "readonly", function (s) { return s.getAll(); }); }
  function putItem(item) { return store("queue", "readwrite", function (s) { s.put(item); }); }
  function cycleQueue() {
    return store("queue", "readonly", function (s) {
      return s.index("cycle").getAll(cycleId);
    });
  }

  /* Finding a household: a card number as typed or scanned ("k7m2-9qxd 4t8p"), read as the
     server does (actions.normalise_token), or a household reference. */

  function normaliseToken(text) {
    var token = text.toUpperCase().replace(/[\s-]/g, "")
      .replace(/O/g, "0").replace(/[IL]/g, "1");
    if (token.length !== 12) return null;
    for (var i = 0; i < token.length; i++) {
      if (CARD_ALPHABET.indexOf(token[i]) < 0) return null;
    }
    return token;
  }
  function find(text) {
    var token = normaliseToken(text);
    return (token && byCard[token]) || byReference[text.trim().toUpperCase()] || null;
  }
  function index() {
    byCard = {};
    byReference = {};
    (list ? list.entitlements : []).forEach(function (e) {
      if (e.card) byCard[e.card] = e;
      byReference[e.household_reference.toUpperCase()] = e;
    });
  }
  function queuedFor(entitlementId) {
    for (var i = 0; i < queue.length; i++) {
      var item = queue[i];
      if (item.entitlement === entitlementId && item.state !== "refused") return item;
    }
    return null;
  }

  function hhmm(iso) {
    var d = new Date(iso);
    return ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2);
  }

  /* Showing the state of things. */

  function showNetwork() {
    $("offline-network").textContent = navigator.onLine ? t("online") : t("offline");
  }
  function showList() {
    if (!list) {
      $("offline-list-state").textContent = t("no_list");
      $("offline-find").hidden = true;
      return;
    }
    var pending = list.entitlements.filter(function (e) {
      return e.status === "pending" && !queuedFor(e.id);
    }).length;
    $("offline-list-state").textContent = t("list", {
      n: list.entitlements.length, time: hhmm(list.downloaded_at), pending: pending,
    });
    $("offline-find").hidden = false;
  }
  function showQueue() {
    var counts = { queued: 0, synced: 0, conflict: 0, refused: 0 };
    var rows = $("offline-queue");
    rows.textContent = "";
    queue.slice().sort(function (a, b) { return a.queued_at < b.queued_at ? 1 : -1; })
      .forEach(function (item) {
        counts[item.state] += 1;
        var li = document.createElement("li");
        li.setAttribute("data-state", item.state);
        var strong = document.createElement("strong");
        strong.textContent = item.reference;
        li.appendChild(strong);
        var text = " " + hhmm(item.queued_at) + " · " + item.who + " · ";
        if (item.state === "queued" && currentUser && item.officer !== currentUser) {
          text += t("other_officer");
        } else {
          text += t(item.state) + (item.message ? " " + item.message : "");
        }
        li.appendChild(document.createTextNode(text));
        rows.appendChild(li);
      });
    $("offline-counts").textContent = t("counts", {
      queued: counts.queued, synced: counts.synced,
      conflicts: counts.conflict, refused: counts.refused,
    });
    showList();
  }
  function say(text) {
    var found = $("offline-found");
    found.textContent = "";
    var p = document.createElement("p");
    p.textContent = text;
    found.appendChild(p);
  }

  /* One household found: who collects, then deliver (queued first, then sent). */

  function showEntitlement(e) {
    var mine = queuedFor(e.id);
    if (mine && mine.state === "conflict") {
      say(e.household_reference + ": " + mine.message);
      return;
    }
    if (mine) {
      say(e.household_reference + ": " + t("delivered_here", { time: hhmm(mine.queued_at) }));
      return;
    }
    if (e.status !== "pending") {
      say(e.household_reference + ": " + t("delivered", {
        time: hhmm(e.delivery.delivered_at), officer: e.delivery.delivered_by,
      }));
      return;
    }
    var found = $("offline-found");
    found.textContent = "";
    var form = document.createElement("form");
    form.id = "offline-deliver";
    var title = document.createElement("p");
    var strong = document.createElement("strong");
    strong.textContent = e.household_reference;
    title.appendChild(strong);
    title.appendChild(document.createTextNode(" " + e.amount + " " + (list.cycle.currency || "")));
    form.appendChild(title);
    var label = document.createElement("label");
    label.htmlFor = "offline-who";
    label.textContent = t("collected_by");
    var select = document.createElement("select");
    select.id = "offline-who";
    e.members.forEach(function (m) {
      var option = new Option(m.given_names + (m.head ? " (" + t("head") + ")" : ""), m.id);
      select.appendChild(option);
    });
    select.appendChild(new Option(t("alternate"), ""));
    var altLabel = document.createElement("label");
    altLabel.htmlFor = "offline-alternate";
    altLabel.textContent = t("alternate_name");
    var alt = document.createElement("input");
    alt.id = "offline-alternate";
    alt.maxLength = 200;
    alt.autocomplete = "off";
    var button = document.createElement("button");
    button.type = "submit";
    button.textContent = t("deliver");
    [label, select, altLabel, alt, button].forEach(function (el) { form.appendChild(el); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var member = select.value;
      var name = alt.value.trim();
      if (!member && !name) { alt.focus(); say(t("say_who")); return; }
      button.disabled = true;
      var who = member ? select.options[select.selectedIndex].text : name;
      enqueue(e, member, member ? "" : name, who);
    });
    found.appendChild(form);
    select.focus();
  }

  function enqueue(e, member, name, who) {
    var item = {
      key: crypto.randomUUID(),
      cycle: cycleId,
      entitlement: e.id,
      reference: e.household_reference,
      collected_by: member || null,
      collected_by_name: name,
      who: who,
      officer: currentUser || (list && list.officer),
      queued_at: new Date().toISOString(),
      state: "queued",
      message: "",
    };
    // Kept first, then sent: a phone that dies between the two keeps the delivery.
    return putItem(item).then(function () {
      queue.push(item);
      say(e.household_reference + ": " + t("queued"));
      showQueue();
      $("offline-token").value = "";
      $("offline-token").focus();
      return sync();
    });
  }

  /* Sending the queue. */

  function request(url, options) {
    var controller = new AbortController();
    var timer = setTimeout(function () { controller.abort(); }, REQUEST_TIMEOUT_MS);
    options.signal = controller.signal;
    options.credentials = "same-origin";
    return fetch(url, options).finally(function () { clearTimeout(timer); });
  }

  // Who is signed in, a fresh CSRF token, and whether the cycle is still open; null without
  // a connection or a session.
  function session() {
    var url = root.getAttribute("data-session-url") + "?cycle=" + encodeURIComponent(cycleId);
    return request(url, { headers: { Accept: "application/json" } }).then(function (r) {
      var json = (r.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      if (!r.ok || r.redirected || !json) return { signedOut: true };
      return r.json();
    }).catch(function () { return null; });
  }

  function sendOne(item) {
    var url = root.getAttribute("data-deliver-url").replace("{id}", item.entitlement);
    var body = item.collected_by
      ? { collected_by: item.collected_by }
      : { collected_by_name: item.collected_by_name };
    return request(url, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": csrf,
        "Idempotency-Key": item.key,
      },
      body: JSON.stringify(body),
    }).then(function (r) {
      if (r.status === 201 || r.status === 200) {
        item.state = "synced";
        item.message = "";
        return putItem(item);
      }
      if (r.status === 409) {
        return r.json().then(function (answer) {
          item.state = "conflict";
          item.message = answer.detail;
          return putItem(item);
        });
      }
      if (r.status === 403 || r.status === 401) {
        throw new Error("signed out");
      }
      if (r.status >= 400 && r.status < 500) {
        return r.json().catch(function () { return {}; }).then(function (answer) {
          item.state = "refused";
          item.message = messages(answer) || String(r.status);
          return putItem(item);
        });
      }
      return null; // 5xx: stays queued
    });
  }
  function messages(answer) {
    var out = [];
    Object.keys(answer || {}).forEach(function (field) {
      var value = answer[field];
      out = out.concat(Array.isArray(value) ? value : [String(value)]);
    });
    return out.join(" ");
  }

  function sync() {
    var waiting = queue.filter(function (item) { return item.state === "queued"; });
    if (syncing || !waiting.length) return Promise.resolve();
    syncing = true;
    return session().then(function (me) {
      if (me === null) return null; // no connection: later
      if (me.signedOut) { say(t("sign_in")); return null; }
      currentUser = me.user;
      csrf = me.csrf;
      var mine = waiting.filter(function (item) { return item.officer === me.user; });
      // One by one, in the order they were made.
      mine.sort(function (a, b) { return a.queued_at < b.queued_at ? -1 : 1; });
      return mine.reduce(function (chain, item) {
        return chain.then(function () { return sendOne(item).then(showQueue); });
      }, Promise.resolve());
    }).catch(function (error) {
      if (error && error.message === "signed out") say(t("sign_in"));
    }).finally(function () {
      syncing = false;
      showQueue();
    });
  }

  /* The list: download, keep, forget. */

  function download() {
    var button = $("offline-download");
    button.disabled = true;
    $("offline-list-state").textContent = t("downloading");
    var url = root.getAttribute("data-list-url").replace("{id}", cycleId);
    return request(url, { headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) throw new Error(String(r.status));
      return r.json();
    }).then(function (answer) {
      list = answer;
      currentUser = answer.officer;
      index();
      return putList(answer).then(keepShell);
    }).then(showQueue).catch(function () {
      say(t("download_failed"));
      showList();
    }).finally(function () { button.disabled = false; });
  }

  // The page the service worker shows when a distribution page cannot load.
  function keepShell() {
    if (!window.caches) return null;
    var url = root.getAttribute("data-shell-url");
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok || r.redirected) return null;
      return caches.open(SHELL_CACHE).then(function (cache) { return cache.put(url, r); });
    }).catch(function () { return null; });
  }

  function forgetAll() {
    var work = allLists().then(function (lists) {
      return Promise.all(lists.map(function (l) { return deleteList(l.cycle.id); }));
    });
    if (window.caches) work = work.then(function () { return caches.delete(SHELL_CACHE); });
    return work;
  }

  function forgetThis() {
    list = null;
    index();
    return deleteList(cycleId).then(showQueue);
  }

  // Lists past their time, and (with a connection) lists of another account or of a cycle no
  // longer open, are deleted.
  function checkList() {
    return getList().then(function (kept) {
      if (kept && new Date(kept.expires_at) <= new Date()) {
        return deleteList(cycleId).then(function () { return null; });
      }
      return kept || null;
    }).then(function (kept) {
      list = kept;
      index();
      showQueue();
      return session().then(function (me) {
        if (me === null || me.signedOut) return;
        currentUser = me.user;
        csrf = me.csrf;
        if (list && (list.officer !== me.user || !me.cycle_open)) {
          forgetThis();
        } else {
          showQueue();
        }
      });
    });
  }

  /* Wiring. */

  function start() {
    root.hidden = false;
    showNetwork();
    if (!cycleId) {
      $("offline-download").hidden = true;
      $("offline-sync").hidden = true;
    }
    if ("serviceWorker" in navigator) {
      var swUrl = root.getAttribute("data-sw-url");
      navigator.serviceWorker.register(swUrl, { scope: swUrl.replace(/sw\.js$/, "") })
        .catch(function () { /* the page still works online */ });
    }
    $("offline-download").addEventListener("click", download);
    $("offline-forget").addEventListener("click", forgetThis);
    $("offline-sync").addEventListener("click", sync);
    $("offline-find").addEventListener("submit", function (event) {
      event.preventDefault();
      var text = $("offline-token").value;
      var e = find(text);
      if (e) showEntitlement(e); else say(t("not_found"));
    });
    if (window.amparoScan && typeof window.amparoScan.start === "function") {
      var scan = $("offline-scan");
      scan.hidden = false;
      scan.addEventListener("click", function () {
        var video = $("offline-video");
        video.hidden = false;
        window.amparoScan.start(video, function (token) {
          video.hidden = true;
          $("offline-token").value = token;
          var e = find(token);
          if (e) showEntitlement(e); else say(t("not_found"));
        });
      });
    }
    window.addEventListener("online", function () { showNetwork(); sync(); });
    window.addEventListener("offline", showNetwork);
    setInterval(function () { if (navigator.onLine) sync(); }, RETRY_MS);
    // Signing out from this page takes the list (not the queue) with it.
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (!form.action || !/\/logout\/$/.test(new URL(form.action, location.href).pathname)) {
        return;
      }
      if (form.getAttribute("data-forgotten")) return;
      event.preventDefault();
      form.setAttribute("data-forgotten", "1");
      forgetAll().finally(function () { form.submit(); });
    }, true);
    cycleQueue().then(function (items) {
      queue = items || [];
      return checkList();
    }).then(function () {
      if (navigator.onLine) return sync();
      return null;
    });
  }

  start();
})();
