// Dashboard charts: SVG drawn from /admin/api/stats (no external libraries).
"use strict";
const SVG = "http://www.w3.org/2000/svg";

function el(name, attrs, text) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function tile(label, value) {
  const d = document.createElement("div");
  d.className = "tile";
  const v = document.createElement("strong");
  v.textContent = value;
  const l = document.createElement("span");
  l.textContent = label;
  d.append(v, l);
  return d;
}

// Drawn at the container's own width so one SVG unit is one CSS pixel: labels stay legible on a phone.
function widthOf(target) {
  return Math.max(300, Math.round(target.clientWidth || 600));
}

// Vertical bars per day: questions, and answered ones inside them.
function dayChart(target, days) {
  const w = widthOf(target), h = 200, pad = 24, labelWidth = 44;
  const max = Math.max(1, ...days.map(d => d.questions));
  const bw = (w - pad - labelWidth / 2) / days.length;
  const step = Math.max(1, Math.ceil(labelWidth / bw));  // days between date labels, so none overlap
  const svg = el("svg", {viewBox: `0 0 ${w} ${h + 20}`, role: "img", "aria-label": "Câu hỏi mỗi ngày"});
  svg.append(el("text", {x: 0, y: 12, class: "axis"}, String(max)));
  days.forEach((d, i) => {
    const x = pad + i * bw;
    const hq = (d.questions / max) * (h - 20), ha = (d.answered / max) * (h - 20);
    const bar = el("rect", {x: x + 1, y: h - hq, width: Math.max(1, bw - 2), height: hq, class: "bar asked"});
    bar.append(el("title", {}, `${d.day}: ${d.questions} câu hỏi, ${d.answered} đã trả lời`));
    svg.append(bar, el("rect", {x: x + 1, y: h - ha, width: Math.max(1, bw - 2), height: ha, class: "bar answered"}));
    if ((days.length - 1 - i) % step === 0)  // counted back from today, which is always labelled
      svg.append(el("text", {x: x + bw / 2, y: h + 14, class: "axis date", "text-anchor": "middle"},
                    d.day.slice(8) + "/" + d.day.slice(5, 7)));
  });
  target.replaceChildren(svg);
}

// Horizontal bars with labels, for topics and localities.
function barChart(target, rows, label) {
  if (!rows.length) { target.textContent = "Chưa có câu hỏi."; return; }
  const w = widthOf(target), row = 26, left = Math.min(230, Math.round(w * 0.45));
  const chars = Math.floor(left / 7.5);  // about 7 px per character at 13 px
  const max = Math.max(1, ...rows.map(r => r.count));
  const svg = el("svg", {viewBox: `0 0 ${w} ${rows.length * row + 4}`, role: "img", "aria-label": label});
  rows.forEach((r, i) => {
    const y = i * row + 2, bw = ((w - left - 40) * r.count) / max;
    const text = el("text", {x: 0, y: y + 16, class: "label"}, r.label.length > chars ? r.label.slice(0, chars - 1) + "…" : r.label);
    text.append(el("title", {}, r.label));
    svg.append(text);
    svg.append(el("rect", {x: left, y: y + 3, width: Math.max(1, bw), height: row - 8, class: "bar asked"}));
    svg.append(el("text", {x: left + bw + 6, y: y + 16, class: "value"}, String(r.count)));
  });
  target.replaceChildren(svg);
}

// A stored UTC time as read in Vietnam.
function vietnamTime(at) {
  return new Date(at + "Z").toLocaleString("vi-VN", {timeZone: "Asia/Ho_Chi_Minh", dateStyle: "short", timeStyle: "short"});
}

let stats = null;
function drawCharts() {
  dayChart(document.getElementById("chart-days"), stats.per_day);
  barChart(document.getElementById("chart-topics"), stats.per_topic, "Câu hỏi theo chủ đề");
  barChart(document.getElementById("chart-localities"), stats.per_locality, "Câu hỏi theo địa phương");
}

async function load() {
  const response = await fetch("/admin/api/stats", {credentials: "same-origin"});
  if (!response.ok) { document.getElementById("tiles").textContent = "Không tải được số liệu."; return; }
  const s = await response.json();
  const share = s.answered_share === null ? "—" : Math.round(s.answered_share * 100) + "%";
  document.getElementById("tiles").replaceChildren(
    tile(`câu hỏi trong ${s.days} ngày`, String(s.questions)),
    tile("trả lời được", share),
    tile("yêu cầu gặp cán bộ đang chờ", String(s.handoffs_waiting)),
    tile("câu hỏi chưa trả lời đang chờ", String(s.unanswered_waiting)),
    tile("góp ý", String(s.feedback.count)));
  stats = s;
  drawCharts();
  const list = document.getElementById("feedback");
  list.replaceChildren(...s.feedback.recent.map(f => {
    const li = document.createElement("li");
    li.textContent = `${vietnamTime(f.at)}: ${f.text}`;
    return li;
  }));
  if (!s.feedback.recent.length) list.textContent = "Chưa có góp ý.";
}
load();
let resizing = null;
window.addEventListener("resize", () => {
  clearTimeout(resizing);
  resizing = setTimeout(() => { if (stats) drawCharts(); }, 200);
});
