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

// Vertical bars per day: questions, and answered ones inside them.
function dayChart(target, days) {
  const w = 600, h = 200, pad = 24;
  const max = Math.max(1, ...days.map(d => d.questions));
  const bw = (w - pad) / days.length;
  const svg = el("svg", {viewBox: `0 0 ${w} ${h + 20}`, role: "img", "aria-label": "Câu hỏi mỗi ngày"});
  svg.append(el("text", {x: 0, y: 12, class: "axis"}, String(max)));
  days.forEach((d, i) => {
    const x = pad + i * bw;
    const hq = (d.questions / max) * (h - 20), ha = (d.answered / max) * (h - 20);
    const bar = el("rect", {x: x + 1, y: h - hq, width: Math.max(1, bw - 2), height: hq, class: "bar asked"});
    bar.append(el("title", {}, `${d.day}: ${d.questions} câu hỏi, ${d.answered} đã trả lời`));
    svg.append(bar, el("rect", {x: x + 1, y: h - ha, width: Math.max(1, bw - 2), height: ha, class: "bar answered"}));
    if (i % 7 === 0 || i === days.length - 1)
      svg.append(el("text", {x: x, y: h + 14, class: "axis"}, d.day.slice(5)));
  });
  target.replaceChildren(svg);
}

// Horizontal bars with labels, for topics and localities.
function barChart(target, rows, label) {
  if (!rows.length) { target.textContent = "Chưa có câu hỏi."; return; }
  const w = 600, row = 26, left = 230;
  const max = Math.max(1, ...rows.map(r => r.count));
  const svg = el("svg", {viewBox: `0 0 ${w} ${rows.length * row + 4}`, role: "img", "aria-label": label});
  rows.forEach((r, i) => {
    const y = i * row + 2, bw = ((w - left - 40) * r.count) / max;
    svg.append(el("text", {x: 0, y: y + 16, class: "label"}, r.label.length > 32 ? r.label.slice(0, 31) + "…" : r.label));
    svg.append(el("rect", {x: left, y: y + 3, width: Math.max(1, bw), height: row - 8, class: "bar asked"}));
    svg.append(el("text", {x: left + bw + 6, y: y + 16, class: "value"}, String(r.count)));
  });
  target.replaceChildren(svg);
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
  dayChart(document.getElementById("chart-days"), s.per_day);
  barChart(document.getElementById("chart-topics"), s.per_topic, "Câu hỏi theo chủ đề");
  barChart(document.getElementById("chart-localities"), s.per_locality, "Câu hỏi theo địa phương");
  const list = document.getElementById("feedback");
  list.replaceChildren(...s.feedback.recent.map(f => {
    const li = document.createElement("li");
    li.textContent = `${f.at.replace("T", " ")}: ${f.text}`;
    return li;
  }));
  if (!s.feedback.recent.length) list.textContent = "Chưa có góp ý.";
}
load();
