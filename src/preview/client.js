// moment preview client: live reload, narrow width, live form evaluation,
// staff activation of modules, and occasions of repeated forms for staff graphs.
(function () {
  "use strict";
  var bar = document.getElementById("moment-preview");
  var moment = bar ? bar.getAttribute("data-moment") : null;
  var generation = bar ? Number(bar.getAttribute("data-generation")) : 0;
  var store = {
    get: function (key, fallback) {
      try { var v = localStorage.getItem("moment:" + moment + ":" + key); return v === null ? fallback : JSON.parse(v); }
      catch (e) { return fallback; }
    },
    set: function (key, value) {
      try { localStorage.setItem("moment:" + moment + ":" + key, JSON.stringify(value)); } catch (e) { /* private mode */ }
    }
  };

  // Live reload: the server says which moments changed.
  var events = new EventSource("/_moment/events");
  events.addEventListener("reload", function (e) {
    var data = JSON.parse(e.data);
    if (!moment || data.moments.indexOf("*") >= 0 || data.moments.indexOf(moment) >= 0) {
      if (data.generation !== generation) { location.reload(); }
    }
  });
  window.addEventListener("beforeunload", function () { events.close(); });
  if (!moment) { return; }

  // Phone width: the page in a 390 px frame, so that the browser lays it out for a
  // phone's viewport (narrowing <body> alone would keep the desktop layout).
  var inFrame = window.self !== window.top;
  var narrow = document.getElementById("moment-narrow");
  function applyNarrow(on) {
    var phone = document.getElementById("moment-phone");
    if (on && !phone) {
      phone = document.createElement("div");
      phone.id = "moment-phone";
      phone.style.cssText = "position:fixed;inset:0;z-index:9998;background:#5a5a5a;display:flex;justify-content:center;padding:1rem 0 3rem";
      var frame = document.createElement("iframe");
      frame.title = "Sidan i mobilbredd, 390 pixlar";
      frame.src = location.href;
      frame.style.cssText = "width:390px;height:100%;border:0;background:#fff;box-shadow:0 0 0 8px #1b1b1b;border-radius:12px";
      phone.appendChild(frame);
      document.body.appendChild(phone);
      document.documentElement.style.overflow = "hidden";
    } else if (!on && phone) {
      phone.parentNode.removeChild(phone);
      document.documentElement.style.overflow = "";
    }
    narrow.setAttribute("aria-pressed", on ? "true" : "false");
  }
  if (inFrame) {
    // Inside the phone frame: the page as a phone shows it, without the preview bar.
    bar.style.display = "none";
  } else {
    applyNarrow(store.get("narrow", false));
    narrow.addEventListener("click", function () {
      var on = narrow.getAttribute("aria-pressed") !== "true";
      store.set("narrow", on);
      applyNarrow(on);
    });
  }

  // Forms: answers are evaluated by the same Rust engine as the form tests.
  function answersOf(form) {
    var answers = {};
    form.querySelectorAll("[data-item]").forEach(function (item) {
      var id = item.getAttribute("data-item");
      var type = item.getAttribute("data-type");
      var inputs = item.querySelectorAll("input, textarea");
      if (type === "choice") {
        var c = item.querySelector("input:checked");
        if (c) { answers[id] = Number(c.value); }
      } else if (type === "multichoice") {
        answers[id] = Array.prototype.map.call(item.querySelectorAll("input:checked"), function (i) { return Number(i.value); });
      } else if (type === "boolean") {
        var b = item.querySelector("input:checked");
        if (b) { answers[id] = b.value === "true"; }
      } else if (type === "scale") {
        var picked = item.querySelector("input[type=radio]:checked");
        var typed = item.querySelector("input[type=number]");
        if (picked) { answers[id] = Number(picked.value); }
        else if (typed && typed.value !== "") { answers[id] = Number(typed.value); }
      } else if (type === "number") {
        if (inputs[0] && inputs[0].value !== "") { answers[id] = Number(inputs[0].value); }
      } else if (inputs[0] && inputs[0].value !== "") {
        answers[id] = inputs[0].value;
      }
    });
    return answers;
  }
  function post(url, body) {
    return fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  }
  function text(tag, content, cls) {
    var el = document.createElement(tag);
    el.textContent = content;
    if (cls) { el.className = cls; }
    return el;
  }
  document.querySelectorAll("form[data-form]").forEach(function (form) {
    var id = form.getAttribute("data-form");
    // The built site shows forms read-only; the preview scores them live instead.
    var readonly = form.querySelector("[data-readonly]");
    if (readonly) { readonly.hidden = true; }
    var result = document.createElement("div");
    result.className = "moment-result";
    result.setAttribute("aria-live", "polite");
    result.setAttribute("data-result", id);
    result.style.cssText = "border:2px dashed #00508c;padding:.5rem 1rem;margin-top:1rem";
    form.appendChild(result);
    var save = document.createElement("button");
    save.type = "button";
    save.textContent = "Spara som tillfälle (förhandsvisning)";
    save.style.marginLeft = ".5rem";
    form.appendChild(save);
    // Answers change faster than the server answers, and responses may arrive out
    // of order: only the newest request's answer is shown, so a stale evaluation
    // never shows a question the last answer hid (or hides one it showed).
    var latest = 0;
    function evaluate() {
      var answers = answersOf(form);
      var ticket = ++latest;
      return post("/_moment/evaluate/" + moment + "/" + id, { answers: answers }).then(function (r) { return r.json(); }).then(function (ev) {
        if (ticket !== latest) { return answers; }
        result.textContent = "";
        result.appendChild(text("strong", "Förhandsvisning av resultatet"));
        if (ev.invalid) {
          Object.keys(ev.invalid).forEach(function (item) {
            result.appendChild(text("p", "Svaret på " + item + " " + ev.invalid[item], "moment-invalid"));
          });
          return answers;
        }
        form.querySelectorAll("[data-item]").forEach(function (item) {
          item.hidden = ev.hidden.indexOf(item.getAttribute("data-item")) >= 0;
        });
        // A score is shown only when the form's rules allow it to be computed.
        Object.keys(ev.score_titles).forEach(function (s) {
          var title = ev.score_titles[s];
          if (Object.prototype.hasOwnProperty.call(ev.scores, s)) {
            var band = ev.bands[s] ? " (" + ev.bands[s] + ")" : "";
            result.appendChild(text("p", title + ": " + String(ev.scores[s]).replace(".", ",") + band, "moment-score"));
          } else {
            result.appendChild(text("p", title + ": räknas ut när frågorna som ingår är besvarade", "moment-score moment-not-computed"));
          }
        });
        if (ev.unanswered.length) {
          result.appendChild(text("p", "Obesvarade frågor som krävs:", "moment-unanswered-title"));
          var list = document.createElement("ul");
          list.className = "moment-unanswered";
          ev.unanswered.forEach(function (item) { list.appendChild(text("li", ev.item_texts[item] || item)); });
          result.appendChild(list);
        }
        result.appendChild(text("p", ev.alerts.length
          ? "Larm till personal: " + ev.alerts.map(function (a) { return ev.alert_messages[a] || a; }).join(" ")
          : "Inga larm till personal", "moment-alerts"));
        return answers;
      });
    }
    form.addEventListener("input", function (e) {
      if (e.target) { e.target.setAttribute("data-touched", "1"); }
      evaluate();
    });
    form.addEventListener("change", function () { evaluate(); });
    save.addEventListener("click", function () {
      evaluate().then(function (answers) {
        var all = store.get("occasions:" + id, []);
        all.push(answers);
        store.set("occasions:" + id, all);
        save.textContent = "Sparat: " + all.length + (all.length === 1 ? " tillfälle" : " tillfällen");
      });
    });
    evaluate();
  });

  // Staff activation: staff open modules one by one; the citizen view follows.
  var activated = store.get("activated", []);
  document.querySelectorAll("tr[data-activation='staff']").forEach(function (row) {
    var page = row.getAttribute("data-page");
    var cell = row.querySelector("td:nth-child(3)");
    var label = document.createElement("label");
    var box = document.createElement("input");
    box.type = "checkbox";
    box.checked = activated.indexOf(page) >= 0;
    box.setAttribute("data-activate", page);
    box.addEventListener("change", function () {
      activated = store.get("activated", []).filter(function (p) { return p !== page; });
      if (box.checked) { activated.push(page); }
      store.set("activated", activated);
    });
    label.appendChild(box);
    label.appendChild(document.createTextNode(" aktiverad"));
    cell.appendChild(document.createElement("br"));
    cell.appendChild(label);
  });
  // Every citizen page follows the activations: the module list and the module's
  // own notice say which staff-activated modules are open in this preview.
  document.querySelectorAll("nav.modules li").forEach(function (li) {
    var link = li.querySelector("a");
    var badge = li.querySelector(".badge");
    if (!link || !badge) { return; }
    if (activated.indexOf(link.getAttribute("href")) >= 0) {
      badge.textContent = "aktiverad i förhandsvisningen";
      badge.setAttribute("data-activated", "true");
    }
  });
  var notice = document.querySelector("p.notice");
  var page = location.pathname.split("/").pop();
  if (notice && activated.indexOf(page) < 0) {
    notice.textContent = "Låst i förhandsvisningen: personalen har inte aktiverat den här modulen än. Aktivera den i personalens vy.";
    notice.setAttribute("data-locked", "true");
  } else if (notice) {
    notice.textContent = "Aktiverad i förhandsvisningen: personalen har öppnat den här modulen för invånaren.";
    notice.setAttribute("data-locked", "false");
  }

  // Messaging: a simulated thread on the citizen side when the moment has messaging
  // switched on, clearly marked as a preview; nothing is sent anywhere.
  var main = document.querySelector("body.citizen main");
  if (main && bar.getAttribute("data-messaging") === "true") {
    var thread = document.createElement("section");
    thread.className = "moment-messages";
    thread.setAttribute("aria-labelledby", "moment-messages-title");
    thread.style.cssText = "border:2px dashed #00508c;padding:.5rem 1rem;margin-top:2rem";
    var title = text("h2", "Meddelanden (förhandsvisning)");
    title.id = "moment-messages-title";
    thread.appendChild(title);
    thread.appendChild(text("p", "Så här ser meddelandefunktionen ut för invånaren. I förhandsvisningen skickas ingenting."));
    var list = document.createElement("ol");
    list.className = "moment-thread";
    thread.appendChild(list);
    var show = function () {
      list.textContent = "";
      list.appendChild(text("li", "Personal: Hej! Skriv här om du har frågor om programmet."));
      store.get("messages", []).forEach(function (m) { list.appendChild(text("li", "Du: " + m)); });
    };
    show();
    var label = text("label", "Skriv ett meddelande");
    label.setAttribute("for", "moment-message-text");
    var box = document.createElement("textarea");
    box.id = "moment-message-text";
    box.rows = 2;
    box.style.width = "100%";
    var send = text("button", "Skicka (förhandsvisning)");
    send.type = "button";
    send.addEventListener("click", function () {
      if (!box.value.trim()) { return; }
      var all = store.get("messages", []);
      all.push(box.value.trim());
      store.set("messages", all);
      box.value = "";
      show();
    });
    thread.appendChild(label);
    thread.appendChild(box);
    thread.appendChild(send);
    main.appendChild(thread);
  }

  // Staff graphs of repeated forms, from the occasions saved in the citizen view.
  document.querySelectorAll("section[data-form]").forEach(function (section) {
    var id = section.getAttribute("data-form");
    var occasions = store.get("occasions:" + id, []);
    var box = document.createElement("div");
    box.className = "moment-graph";
    section.appendChild(box);
    if (!occasions.length) {
      box.appendChild(text("p", "Inga tillfällen än. Fyll i formuläret i invånarens vy och spara som tillfälle."));
      return;
    }
    post("/_moment/graph/" + moment + "/" + id, { occasions: occasions }).then(function (r) { return r.text(); }).then(function (svg) {
      box.innerHTML = svg;
      var clear = document.createElement("button");
      clear.type = "button";
      clear.textContent = "Töm tillfällen";
      clear.addEventListener("click", function () { store.set("occasions:" + id, []); location.reload(); });
      box.appendChild(clear);
    });
  });
})();
