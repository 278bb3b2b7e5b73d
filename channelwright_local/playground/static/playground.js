// The playground page: draws what /local/playground/state says, and sends what a member does.
// Plain DOM, no build step. Message HTML comes rendered (and escaped) from the server; every other
// text goes in with textContent.
"use strict";

// developers/interactions/application-commands.mdx "Application Command Option Type".
const SUB_COMMAND = 1, STRING = 3, INTEGER = 4, BOOLEAN = 5, USER = 6, CHANNEL = 7, ROLE = 8, NUMBER = 10,
  ATTACHMENT = 11;
const ICONS = {text: "#", voice: "🔊", forum: "💬", announcement: "📣", stage: "🎙", category: "▾"};
const POLL_MS = 400;

const $ = (id) => document.getElementById(id);
const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  for (const child of children) node.append(child);
  return node;
};

let state = null;
let actingAs = null;
let drawn = {};            // part -> JSON last drawn, so an unchanged part is not redrawn
let attachments = {};      // option name -> uploaded attachment id

async function api(path, body) {
  const response = await fetch(path, body === undefined ? {} : {
    method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
  const data = await response.json();
  if (!response.ok) throw new Error(data.message || response.statusText);
  return data;
}

// -- drawing ---------------------------------------------------------------------------------

function changed(part, value) {
  const text = JSON.stringify(value);
  if (drawn[part] === text) return false;
  drawn[part] = text;
  return true;
}

function drawSidebar(server) {
  if (!changed("sidebar", server)) return;
  $("guild-name").textContent = server.guild.name;
  const list = $("channels");
  list.dataset.viewer = server.viewer;  // whose eyes the sidebar shows (the page's tests wait on it)
  list.replaceChildren();
  for (const category of server.categories) {
    const box = el("div", {className: "category"});
    if (category.name !== null) {
      const title = el("div", {className: "category-name"}, `${ICONS.category} ${category.name}`);
      if (category.private) title.append(el("span", {className: "lock", title: "private"}, " 🔒"));
      box.append(title);
    }
    for (const channel of category.channels) box.append(drawChannel(channel));
    list.append(box);
  }
  $("hidden-channels").textContent = server.hidden ?
    `${server.hidden} channel(s) exist that you can't see` : "";
}

function drawChannel(channel) {
  const row = el("div", {className: "channel", title: "Who can see it: " + channel.audience.join(", ")});
  row.dataset.name = channel.name;
  row.dataset.kind = channel.kind;
  row.append(el("span", {className: "icon"}, ICONS[channel.kind] || "#"), el("span", {className: "name"}, channel.name));
  if (channel.private) row.append(el("span", {className: "lock", title: "private"}, "🔒"));
  row.append(el("span", {className: "audience hint"}, "seen by " + channel.audience.join(", ")));
  return row;
}

function drawMembers(server) {
  if (!changed("members", server.members)) return;
  const list = $("members");
  list.replaceChildren();
  for (const member of server.members) {
    const item = el("li", {className: "member"});
    item.dataset.id = member.id;
    item.append(el("span", {className: "name"}, member.name));
    if (member.bot) item.append(el("span", {className: "bot-tag"}, "BOT"));
    if (member.owner) item.append(el("span", {className: "hint"}, " 👑 owner"));
    const roles = el("div");
    for (const role of member.roles) {
      const pill = el("span", {className: "role-pill"}, role.name);
      if (role.color) pill.style.setProperty("--role", "#" + role.color.toString(16).padStart(6, "0"));
      roles.append(pill);
    }
    item.append(roles);
    list.append(item);
  }
  const select = $("acting-as");
  const humans = server.members.filter((m) => !m.bot);
  if (changed("acting", humans.map((m) => m.id))) {
    select.replaceChildren(...humans.map((m) => el("option", {value: m.id}, m.name)));
    select.value = actingAs;
  }
}

function drawMessages(messages) {
  if (!changed("messages", messages)) return;
  const list = $("messages");
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  list.replaceChildren(...messages.map(drawMessage));
  if (atBottom) list.scrollTop = list.scrollHeight;
}

function drawMessage(message) {
  const item = el("li", {className: "message" + (message.ephemeral ? " ephemeral" : "")});
  item.dataset.id = message.id;
  item.append(el("div", {className: "avatar"}, "CW"));
  const head = el("div");
  if (message.reply_to) {
    const who = (state.server.members.find((m) => m.id === message.owner) || {}).name || "someone";
    head.append(el("div", {className: "reply-to"}, `↱ ${who} ${message.reply_to.startsWith("/") ? "used " : ""}${message.reply_to}`));
  }
  if (message.channel) head.append(el("div", {className: "reply-to"}, `posted in #${message.channel}`));
  head.append(el("span", {className: "author"}, message.author), el("span", {className: "bot-tag"}, "APP"));
  item.append(head);
  const content = el("div", {className: "content"});
  if (message.loading) {
    content.append(el("p", {className: "thinking"}, "Channelwright is thinking…"));
  } else {
    content.innerHTML = message.html;  // rendered and escaped by the server (markdown.py)
    if (message.edited) content.append(el("span", {className: "edited"}, " (edited)"));
  }
  item.append(content);
  const extra = el("div");
  if (message.buttons.length) {
    const row = el("div", {className: "buttons"});
    for (const button of message.buttons) {
      const b = el("button", {type: "button", className: button.style, disabled: button.disabled}, button.label);
      b.dataset.customId = button.custom_id;
      b.addEventListener("click", () => press(message, button.custom_id, b));
      row.append(b);
    }
    extra.append(row);
  }
  if (message.ephemeral) extra.append(el("div", {className: "only-you"}, "👁 Only you can see this"));
  item.append(extra);
  return item;
}

function drawTrouble(trouble) {
  if (!changed("trouble", {presets: trouble.presets})) return;
  $("faults").replaceChildren(...trouble.presets.map((name) => {
    const box = el("input", {type: "checkbox", value: name, checked: trouble.faults.includes(name)});
    return el("label", {}, box, " " + name);
  }));
  $("latency").value = trouble.latency;
}

function drawNarration(lines) {
  if (!changed("narration", lines)) return;
  $("narration").replaceChildren(...lines.map((line) => el("li", {}, line)));
}

function drawCommands(commands) {
  if (!changed("commands", commands)) return;
  const select = $("command");
  const entries = [];
  for (const command of commands) {
    const subs = (command.options || []).filter((o) => o.type === SUB_COMMAND);
    if (subs.length) for (const sub of subs) entries.push([`${command.name} ${sub.name}`, sub.description]);
    else entries.push([command.name, command.description]);
  }
  select.replaceChildren(...entries.map(([name, help]) => el("option", {value: name, title: help}, name)));
  drawOptions();
}

// -- the command bar -------------------------------------------------------------------------

function chosen() {
  const [name, sub] = $("command").value.split(" ");
  const command = state.commands.find((c) => c.name === name);
  const options = sub ? (command.options.find((o) => o.name === sub).options || []) : command.options;
  return {name, sub: sub || null, command, options};
}

function drawOptions() {
  const {command, sub, options} = chosen();
  $("command-help").textContent = sub ? command.options.find((o) => o.name === sub).description : command.description;
  attachments = {};
  $("options").replaceChildren(...options.map(drawOption));
  $("choices").hidden = true;
}

function drawOption(option) {
  const box = el("label", {className: "option" + (option.required ? "" : " optional"), title: option.description});
  box.dataset.name = option.name;
  box.append(el("span", {className: "name"}, option.name));
  let input;
  if (option.type === USER) {
    input = el("select", {}, el("option", {value: ""}, "pick a member"),
      ...state.server.members.map((m) => el("option", {value: m.id}, m.name)));
  } else if (option.type === CHANNEL) {  // the categories the sidebar shows (channel_types [4])
    input = el("select", {}, el("option", {value: ""}, "pick a category"),
      ...state.server.categories.filter((c) => c.id).map((c) => el("option", {value: c.id}, c.name)));
  } else if (option.type === ROLE) {
    input = el("select", {}, el("option", {value: ""}, "pick a role"),
      ...state.server.roles.map((r) => el("option", {value: r.id}, r.name)));
  } else if (option.type === ATTACHMENT) {
    input = el("input", {type: "file", accept: ".json,.yaml,.yml"});
    input.addEventListener("change", () => upload(option.name, input));
  } else if (option.type === BOOLEAN) {
    input = el("select", {}, el("option", {value: "true"}, "True"), el("option", {value: "false"}, "False"));
  } else {
    input = el("input", {type: [INTEGER, NUMBER].includes(option.type) ? "number" : "text",
                         placeholder: option.description});
    if (option.max_length) input.maxLength = option.max_length;
    if (option.autocomplete) {
      input.addEventListener("input", () => suggest(option.name, input));
      input.addEventListener("focus", () => suggest(option.name, input));
    }
  }
  input.name = option.name;
  box.append(input);
  return box;
}

function values() {
  const out = {};
  for (const input of $("options").querySelectorAll("input, select")) {
    if (input.type === "file") { if (attachments[input.name]) out[input.name] = attachments[input.name]; }
    else if (input.value !== "") out[input.name] = input.value;
  }
  return out;
}

async function suggest(name, input) {
  const {name: command, sub} = chosen();
  const list = $("choices");
  try {
    const {choices} = await api("/local/playground/autocomplete",
      {as: actingAs, command, subcommand: sub, options: values(), focused: name});
    list.replaceChildren(...choices.map((choice) => {
      const item = el("li", {}, choice.name);
      item.addEventListener("mousedown", (event) => { event.preventDefault(); input.value = choice.value; list.hidden = true; });
      return item;
    }));
    // An answer that comes after the member moved on (sent the command, or picked another
    // field) would cover the messages: the client shows choices only while the option is typed.
    list.hidden = !choices.length || document.activeElement !== input;
  } catch (error) { list.hidden = true; }
}

async function upload(name, input) {
  const file = input.files[0];
  if (!file) return;
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  const attachment = await api("/local/playground/attachments", {filename: file.name, content_base64: btoa(binary)});
  attachments[name] = attachment.id;
}

async function send(event) {
  event.preventDefault();
  const {name, sub} = chosen();
  $("send-status").textContent = "sending…";
  $("choices").hidden = true;
  try {
    const sent = await api("/local/playground/commands", {as: actingAs, command: name, subcommand: sub, options: values()});
    $("send-status").textContent = sent.status === 200 ? "" : `the endpoint answered HTTP ${sent.status}`;
    for (const input of $("options").querySelectorAll("input[type=text], input[type=number]")) input.value = "";
  } catch (error) {
    $("send-status").textContent = error.message;
  }
  refresh();
}

// A reply's button goes with its interaction's token; a message posted in a channel has none,
// and is named by its channel and id.
async function press(message, customId, button) {
  button.disabled = true;
  const which = message.token ? {token: message.token} : {channel_id: message.channel_id, message_id: message.id};
  try { await api("/local/playground/press", {as: actingAs, ...which, custom_id: customId}); }
  catch (error) { $("send-status").textContent = error.message; }
  refresh();
}

async function applyTrouble() {
  const faults = [...$("faults").querySelectorAll("input:checked")].map((box) => box.value);
  try {
    const set = await api("/local/playground/trouble", {faults, latency: $("latency").value || 0});
    $("trouble-status").textContent = `armed: ${set.faults.join(", ") || "no faults"}; latency ${set.latency} s`;
  } catch (error) { $("trouble-status").textContent = error.message; }
}

// -- the loop --------------------------------------------------------------------------------

async function refresh() {
  try {
    state = await api(`/local/playground/state?as=${encodeURIComponent(actingAs || "")}`);
  } catch (error) { return; }
  // First load, or a page left open while serve restarted (a new server, new member ids).
  if (!state.server.members.some((m) => m.id === actingAs)) {
    actingAs = state.server.viewer;
    drawn = {};
  }
  drawSidebar(state.server);
  drawMembers(state.server);
  drawCommands(state.commands);
  drawMessages(state.messages);
  drawTrouble(state.trouble);
  drawNarration(state.narration);
  document.body.dataset.ready = "true";
}

document.addEventListener("DOMContentLoaded", () => {
  $("command").addEventListener("change", drawOptions);
  $("command-bar").addEventListener("submit", send);
  $("apply-trouble").addEventListener("click", applyTrouble);
  $("acting-as").addEventListener("change", (event) => { actingAs = event.target.value; drawn = {commands: drawn.commands}; refresh(); });
  $("messages").addEventListener("click", (event) => {
    if (event.target.classList.contains("spoiler")) event.target.classList.add("shown");
  });
  refresh();
  setInterval(refresh, POLL_MS);
});
