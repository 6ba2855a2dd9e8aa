// The sandbox's chat page: reads each chat's change feed from /sandbox/, acts through the fake
// Telegram's control API (/_fake/users/{id}/...). Plain JavaScript, no build step.
"use strict";

const $ = (selector) => document.querySelector(selector);
const chats = new Map(); // user id -> {seq, messages: Map(id -> item), replyKeyboard, hiddenKeyboard, unread}
let users = [];
let current = null;
let pollGeneration = 0;

function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

function safeUrl(url) {
  return /^(https?:|tg:|mailto:|tel:)/i.test(url) ? url : null;
}

// Telegram's entities (UTF-16 offsets, as JavaScript strings count) turned into HTML; the text itself
// is always escaped, so whatever the bot sent shows as text.
function renderEntities(text, entities) {
  const sorted = [...(entities || [])].sort((a, b) => a.offset - b.offset || b.length - a.length);
  function render(start, end, list) {
    let out = "";
    let pos = start;
    let i = 0;
    while (i < list.length) {
      const entity = list[i];
      const stop = entity.offset + entity.length;
      const inner = [];
      let j = i + 1;
      while (j < list.length && list[j].offset < stop) inner.push(list[j++]);
      out += escapeHtml(text.slice(pos, Math.max(pos, entity.offset)));
      const from = Math.max(pos, entity.offset);
      out += wrap(entity, render(from, stop, inner), text.slice(from, stop));
      pos = Math.max(pos, stop);
      i = j;
    }
    return out + escapeHtml(text.slice(pos, end));
  }
  return render(0, text.length, sorted);
}

function wrap(entity, inner, raw) {
  switch (entity.type) {
    case "bold": return `<b>${inner}</b>`;
    case "italic": return `<i>${inner}</i>`;
    case "underline": return `<u>${inner}</u>`;
    case "strikethrough": return `<s>${inner}</s>`;
    case "spoiler": return `<span class="spoiler" title="spoiler">${inner}</span>`;
    case "code": return `<code>${inner}</code>`;
    case "pre": {
      const language = entity.language ? ` class="language-${escapeHtml(entity.language)}"` : "";
      return `<pre><code${language}>${inner}</code></pre>`;
    }
    case "blockquote":
    case "expandable_blockquote": return `<blockquote>${inner}</blockquote>`;
    case "text_link": {
      const url = safeUrl(entity.url || "");
      return url ? `<a href="${escapeHtml(url)}" target="_blank" rel="noopener noreferrer">${inner}</a>` : inner;
    }
    case "url": {
      const url = safeUrl(/^[a-z]+:/i.test(raw) ? raw : `https://${raw}`);
      return url ? `<a href="${escapeHtml(url)}" target="_blank" rel="noopener noreferrer">${inner}</a>` : inner;
    }
    case "email": return `<a href="mailto:${escapeHtml(raw)}">${inner}</a>`;
    case "phone_number": return `<a href="tel:${escapeHtml(raw)}">${inner}</a>`;
    case "bot_command": return `<span class="entity-link" data-command="${escapeHtml(raw)}">${inner}</span>`;
    case "mention":
    case "hashtag":
    case "cashtag": return `<span class="entity-link">${inner}</span>`;
    default: return inner;
  }
}

async function call(path, body, signal) {
  const options = body === undefined ? { signal } : {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body), signal,
  };
  const response = await fetch(path, options);
  const data = await response.json();
  if (!data.ok) throw new Error(data.description || `HTTP ${response.status}`);
  return data.result;
}

function toast(text) {
  const box = $("#toast");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, 3500);
}

async function act(action, body) {
  if (current === null) return;
  try {
    await call(`/_fake/users/${current}/${action}`, body);
  } catch (error) {
    toast(error.message);
  }
}

function chatOf(userId) {
  if (!chats.has(userId)) {
    chats.set(userId, { seq: 0, messages: new Map(), replyKeyboard: null, hiddenKeyboard: null, unread: 0 });
  }
  return chats.get(userId);
}

function time(date) {
  return new Date(date * 1000).toLocaleTimeString("en-GB", { timeZone: "Asia/Almaty", hour: "2-digit", minute: "2-digit" });
}

function osmLink(latitude, longitude) {
  return `https://www.openstreetmap.org/?mlat=${latitude}&mlon=${longitude}#map=16/${latitude}/${longitude}`;
}

function mapAnchor(latitude, longitude, label) {
  return `<a href="${escapeHtml(osmLink(latitude, longitude))}" target="_blank" rel="noopener noreferrer">${escapeHtml(label)}</a>`;
}

function bodyHtml(item) {
  const m = item.message;
  const parts = [];
  if (m.photo) parts.push(`<div class="media">${item.fileUrl ? `<img src="${escapeHtml(item.fileUrl)}" alt="photo">` : "🖼 photo"}</div>`);
  if (m.document) {
    const name = m.document.file_name || "document";
    const size = m.document.file_size ? `${Math.max(1, Math.round(m.document.file_size / 1024))} KB` : "";
    parts.push(`<a class="file media" href="${escapeHtml(item.fileUrl || "#")}" download="${escapeHtml(name)}"><span class="icon">📄</span><span>${escapeHtml(name)}<br><span class="hint">${size}</span></span></a>`);
  }
  if (m.venue) {
    const { location, title, address } = m.venue;
    parts.push(`<div class="venue media">📍 <span class="title">${escapeHtml(title)}</span><br>${escapeHtml(address)}<br>${mapAnchor(location.latitude, location.longitude, "Open in OpenStreetMap")}</div>`);
  } else if (m.location) {
    parts.push(`<div class="media">📍 ${mapAnchor(m.location.latitude, m.location.longitude, `${m.location.latitude.toFixed(5)}, ${m.location.longitude.toFixed(5)}`)}</div>`);
  }
  if (m.contact) parts.push(`<div class="media">📱 ${escapeHtml(m.contact.first_name || "")} ${escapeHtml(m.contact.phone_number || "")}</div>`);
  if (m.sticker) parts.push(`<div class="media" style="font-size:48px">${escapeHtml(m.sticker.emoji || "🖼")}</div>`);
  if (m.voice) parts.push(`<div class="media">🎤 voice message, ${m.voice.duration} s</div>`);
  if (m.text !== undefined) parts.push(renderEntities(m.text, m.entities));
  else if (m.caption !== undefined) parts.push(renderEntities(m.caption, m.caption_entities));
  if (!parts.length) parts.push(`<span class="hint">[${escapeHtml(Object.keys(m).filter((k) => !["message_id", "from", "chat", "date"].includes(k)).join(", "))}]</span>`);
  const edited = m.edit_date ? "edited " : "";
  return `${parts.join("")}<span class="meta">${edited}${time(m.edit_date || m.date)}</span>`;
}

function messageElement(item) {
  const element = document.createElement("div");
  element.className = item.mine ? "msg mine" : "msg";
  element.dataset.id = item.message.message_id;
  const bubble = document.createElement("div");
  bubble.className = "bubble";
  bubble.innerHTML = bodyHtml(item);
  element.append(bubble);
  const rows = item.message.reply_markup && item.message.reply_markup.inline_keyboard;
  if (!item.mine && rows) {
    const keyboard = document.createElement("div");
    keyboard.className = "inline-keyboard";
    for (const row of rows) {
      const line = document.createElement("div");
      line.className = "kb-row";
      for (const button of row) line.append(inlineButton(item.message.message_id, button));
      keyboard.append(line);
    }
    element.append(keyboard);
  }
  return element;
}

function inlineButton(messageId, button) {
  const element = document.createElement("button");
  element.type = "button";
  element.textContent = button.text;
  if (button.callback_data !== undefined) {
    element.addEventListener("click", () => act("press_data", { data: button.callback_data, message_id: messageId }));
  } else if (button.url && safeUrl(button.url)) {
    element.textContent += " ↗";
    element.addEventListener("click", () => window.open(button.url, "_blank", "noopener"));
  } else {
    element.disabled = true;
    element.title = "not available in the sandbox";
  }
  return element;
}

function apply(userId, event, fileUrl) {
  const chat = chatOf(userId);
  const message = event.message || {};
  const id = message.message_id;
  switch (event.type) {
    case "message":
    case "user_message":
      chat.messages.set(id, { mine: event.type === "user_message", message, fileUrl });
      if (event.type === "message" && userId !== current) chat.unread += 1;
      break;
    case "edit":
    case "user_edit": {
      const old = chat.messages.get(id);
      if (old) chat.messages.set(id, { ...old, message, fileUrl: fileUrl || old.fileUrl });
      break;
    }
    case "delete":
      chat.messages.delete(id);
      break;
    case "callback_answer":
      if (userId === current && message.text) toast(message.text);
      return null;
    default:
      return null;
  }
  return id;
}

function renderChat() {
  const box = $("#messages");
  box.replaceChildren();
  if (current === null) return;
  const chat = chatOf(current);
  for (const item of chat.messages.values()) box.append(messageElement(item));
  box.scrollTop = box.scrollHeight;
  renderKeyboard();
}

function renderMessage(id) {
  const box = $("#messages");
  const item = chatOf(current).messages.get(id);
  const old = box.querySelector(`.msg[data-id="${id}"]`);
  if (!item) {
    if (old) old.remove();
    return;
  }
  const nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  const element = messageElement(item);
  if (old) old.replaceWith(element);
  else box.append(element);
  if (nearBottom || item.mine) box.scrollTop = box.scrollHeight;
}

function renderKeyboard() {
  const box = $("#reply-keyboard");
  box.replaceChildren();
  if (current === null) return;
  const chat = chatOf(current);
  if (chat.messages.size === 0) {
    const start = document.createElement("button");
    start.type = "button";
    start.textContent = "START";
    start.addEventListener("click", () => act("send", { text: "/start" }));
    box.append(start);
    return;
  }
  const markup = chat.replyKeyboard;
  if (!markup || !markup.keyboard || JSON.stringify(markup) === chat.hiddenKeyboard) return;
  for (const row of markup.keyboard) {
    const line = document.createElement("div");
    line.className = "kb-row";
    for (const raw of row) {
      const button = typeof raw === "string" ? { text: raw } : raw;
      const element = document.createElement("button");
      element.type = "button";
      element.textContent = button.text;
      element.addEventListener("click", () => pressReply(button, markup));
      line.append(element);
    }
    box.append(line);
  }
}

async function pressReply(button, markup) {
  const chat = chatOf(current);
  if (markup.one_time_keyboard) {
    chat.hiddenKeyboard = JSON.stringify(markup);
    renderKeyboard();
  }
  if (button.request_contact) await act("contact", {});
  else if (button.request_location) await shareLocation();
  else await act("send", { text: button.text });
}

async function shareLocation() {
  const answer = prompt("Latitude, longitude to share", "43.2383, 76.9456");
  if (!answer) return;
  const [latitude, longitude] = answer.split(",").map((part) => Number(part.trim()));
  if (Number.isNaN(latitude) || Number.isNaN(longitude)) return toast("Two numbers, like 43.2383, 76.9456");
  await act("location", { latitude, longitude });
}

function absorb(userId, result) {
  const chat = chatOf(userId);
  const changed = [];
  for (const event of result.events) {
    if (event.seq <= chat.seq) continue;
    const id = apply(userId, event, event.file_url);
    if (id !== null && id !== undefined) changed.push(id);
  }
  chat.seq = Math.max(chat.seq, result.last_seq);
  const keyboardChanged = JSON.stringify(result.reply_keyboard) !== JSON.stringify(chat.replyKeyboard);
  chat.replyKeyboard = result.reply_keyboard;
  if (keyboardChanged) chat.hiddenKeyboard = null;
  showClock(result.clock);
  if (userId === current) {
    for (const id of changed) renderMessage(id);
    if (changed.length || keyboardChanged) renderKeyboard();
  }
  if (changed.length) renderUsers();
}

// One long poll at a time: switching users aborts the previous one, so that abandoned polls do not
// hold the browser's few connections to the server.
let pollAbort = null;

async function pollCurrent(generation) {
  if (pollAbort) pollAbort.abort();
  const abort = pollAbort = new AbortController();
  while (generation === pollGeneration && current !== null) {
    const userId = current;
    try {
      const result = await call(`/sandbox/users/${userId}/chat?after=${chatOf(userId).seq}&timeout=20`, undefined, abort.signal);
      if (generation === pollGeneration) absorb(userId, result);
    } catch (error) {
      if (abort.signal.aborted) return;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

// The other users' chats, every few seconds without waiting: for their unread counts.
async function pollOthers() {
  for (const user of users) {
    if (user.id === current) continue;
    try {
      absorb(user.id, await call(`/sandbox/users/${user.id}/chat?after=${chatOf(user.id).seq}`));
    } catch (error) { /* the next round tries again */ }
  }
  setTimeout(pollOthers, 2500);
}

const ROLE_LABELS = { new: "new", volunteer: "volunteer", ngo: "NGO", organizer: "organizer", admin: "admin" };

function renderUsers() {
  const list = $("#users");
  list.replaceChildren();
  for (const user of users) {
    const item = document.createElement("li");
    item.dataset.user = user.id;
    if (user.id === current) item.className = "active";
    const unread = chatOf(user.id).unread;
    item.innerHTML = `<div class="avatar">${escapeHtml(user.name.slice(0, 1).toUpperCase())}</div>
      <div><div>${escapeHtml(user.name)}</div><div class="hint">${escapeHtml(ROLE_LABELS[user.role] || user.role)} · ${escapeHtml(user.language)} · ${user.id}</div></div>
      ${unread ? `<span class="unread">${unread}</span>` : ""}`;
    item.addEventListener("click", () => select(user.id));
    list.append(item);
  }
}

function select(userId) {
  current = userId;
  chatOf(userId).unread = 0;
  history.replaceState(null, "", `#user=${userId}`);
  const user = users.find((u) => u.id === userId);
  $("#chat-who").textContent = user ? `as ${user.name} (${ROLE_LABELS[user.role] || user.role}, ${user.language})` : "";
  $("#app").classList.remove("people-open");
  renderUsers();
  renderChat();
  pollGeneration += 1;
  pollCurrent(pollGeneration);
}

function showClock(clock) {
  if (!clock) return;
  const offset = clock.offset_seconds ? ` (+${formatOffset(clock.offset_seconds)})` : "";
  $("#clock-now").textContent = clock.local + offset;
}

function formatOffset(seconds) {
  const days = Math.floor(seconds / 86400);
  const hours = Math.round((seconds % 86400) / 3600);
  return days ? `${days} d ${hours} h` : `${hours} h`;
}

async function loadState() {
  for (;;) {
    try {
      const state = await call("/sandbox/state");
      if (state.ready) return state;
    } catch (error) { /* the server is starting */ }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function main() {
  const state = await loadState();
  users = state.users;
  showClock(state.clock);
  const wanted = Number((location.hash.match(/user=(\d+)/) || [])[1]);
  select(users.some((u) => u.id === wanted) ? wanted : users[0].id);
  pollOthers();

  $("#composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = $("#text").value;
    if (!text.trim()) return;
    $("#text").value = "";
    act("send", { text });
  });
  $("#messages").addEventListener("click", (event) => {
    const command = event.target.closest("[data-command]");
    if (command) act("send", { text: command.dataset.command });
    const spoiler = event.target.closest(".spoiler");
    if (spoiler) spoiler.classList.add("shown");
  });
  $("#new-user").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    try {
      const user = await call("/sandbox/users", {
        name: form.name.value, language: form.language.value, role: form.role.value,
      });
      users.push(user);
      form.name.value = "";
      select(user.id);
    } catch (error) {
      toast(error.message);
    }
  });
  for (const button of document.querySelectorAll("[data-jump]")) {
    button.addEventListener("click", async () => {
      try {
        showClock(await call("/sandbox/clock", { advance: Number(button.dataset.jump) }));
      } catch (error) {
        toast(error.message);
      }
    });
  }
  $("#attach").addEventListener("click", () => { $("#attach-menu").hidden = !$("#attach-menu").hidden; });
  $("#attach-menu").addEventListener("click", async (event) => {
    const choice = event.target.closest("[data-attach]");
    if (!choice) return;
    $("#attach-menu").hidden = true;
    if (choice.dataset.attach === "contact") await act("contact", {});
    if (choice.dataset.attach === "location") await shareLocation();
    if (choice.dataset.attach === "photo") await act("photo", {});
    if (choice.dataset.attach === "document") await act("document", { file_name: "notes.pdf" });
  });
  $("#show-people").addEventListener("click", () => $("#app").classList.toggle("people-open"));
}

main();
