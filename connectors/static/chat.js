// The conversation is the server's HttpOnly cookie: this page never sees or sends an id.
const log = document.getElementById("log");
const input = document.getElementById("t");
const sendButton = document.querySelector("#f button[type=submit]");
const GREETING = "Xin chào! Tôi là trợ lý chính sách xã hội. Tôi trả lời theo kế hoạch của Cần Thơ, " +
  "TP Hồ Chí Minh, Đà Nẵng, Càng Long và Đức Phổ, và luôn ghi rõ nguồn. Bạn gõ câu hỏi (có dấu hay " +
  "không dấu đều được), hoặc chọn một câu dưới đây:";
const EXAMPLES = [
  "Hộ cận nghèo ở Cần Thơ có được hỗ trợ mua thẻ BHYT không?",
  "Đà Nẵng có miễn học phí cho học sinh không?",
  "Đức Phổ xây bao nhiêu căn nhà ở xã hội?",
  "Người có công ở TP Hồ Chí Minh được hỗ trợ nhà ở thế nào?",
  "Cho tôi gặp cán bộ",
];
const TOPICS = {"Bảo hiểm y tế": "Chính sách bảo hiểm y tế", "Học phí": "Chính sách miễn giảm học phí",
                "Nhà ở xã hội": "Chính sách nhà ở xã hội", "Người có công": "Chính sách cho người có công"};
let busy = false;

function add(text, who){
  const d = document.createElement("div");
  d.className = "msg " + who;
  d.textContent = text;
  log.appendChild(d);
  window.scrollTo(0, document.body.scrollHeight);
  return d;
}
// Buttons of earlier replies act once: after any choice or new message they are inert.
function retireButtons(){ for(const b of log.querySelectorAll("button.btn")){ b.disabled = true; } }
function addButtons(d, buttons){
  for(const b of buttons){
    const x = document.createElement("button");
    x.className = "btn"; x.type = "button"; x.textContent = b.title;
    x.onclick = () => { if(!busy){ send(b.payload, b.title); } };
    d.appendChild(document.createElement("br")); d.appendChild(x);
  }
}
function setBusy(on){ busy = on; input.disabled = on; sendButton.disabled = on; }

async function send(message, shown){
  if(busy){ return; }
  retireButtons();
  add(shown || message, "me");
  setBusy(true);
  const pending = add("Đang trả lời…", "bot pending");
  try{
    const r = await fetch("chat", {method:"POST", headers:{"Content-Type":"application/json"},
                                   body:JSON.stringify(shown ? {message, shown} : {message})});
    const replies = await r.json();
    pending.remove();
    if(!r.ok){ add(replies.error || "Xin lỗi, hệ thống đang bận. Bạn thử lại sau ít phút nhé.", "bot"); return; }
    for(const m of replies){ addButtons(add(m.text || "", "bot"), m.buttons || []); }
  }catch(e){
    pending.remove();
    add("Xin lỗi, không kết nối được với trợ lý. Bạn thử lại sau ít phút nhé.", "bot");
  }finally{
    setBusy(false);
    input.focus();
  }
}
// Answers from commune staff arrive later: look for them every few seconds.
async function poll(){
  try{
    const r = await fetch("updates");
    if(!r.ok){ return; }
    const items = await r.json();
    for(const m of items){ add(m.text || "", "bot staff"); }
    // Acknowledged once shown: an answer not yet shown stays waiting for the next look.
    if(items.length){ await fetch("updates/ack", {method:"POST", headers:{"Content-Type":"application/json"}, body:JSON.stringify({ids:items.map(m=>m.id)})}); }
  }catch(e){}
}
function greet(){
  const hello = add(GREETING, "bot greeting");
  addButtons(hello, EXAMPLES.map(q => ({title: q, payload: q})).concat(
    Object.entries(TOPICS).map(([title, payload]) => ({title, payload}))));
}
// After a reload the conversation so far is shown again (the server keeps it by the cookie);
// only the last reply's buttons still act.
async function restore(){
  let items = [];
  try{ const r = await fetch("history"); if(r.ok){ items = await r.json(); } }catch(e){}
  if(!items.length){ greet(); return; }
  for(const m of items){
    const d = add(m.text || "", m.who === "me" ? "me" : (m.who === "staff" ? "bot staff" : "bot"));
    if(m.who === "bot"){ retireButtons(); addButtons(d, m.buttons || []); }
  }
}
restore();
setInterval(poll, 3000);
document.getElementById("f").onsubmit = e => {e.preventDefault(); const v = input.value.trim(); if(v && !busy){ input.value = ""; send(v); }};
