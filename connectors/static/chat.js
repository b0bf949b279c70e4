// The conversation is the server's HttpOnly cookie: this page never sees or sends an id.
const log = document.getElementById("log");
function add(text, who){const d=document.createElement("div");d.className="msg "+who;d.textContent=text;log.appendChild(d);window.scrollTo(0,document.body.scrollHeight);return d;}
async function send(message, shown){
  add(shown || message, "me");
  try{
    const r = await fetch("chat", {method:"POST", headers:{"Content-Type":"application/json"}, body:JSON.stringify({message})});
    const replies = await r.json();
    if(!r.ok){ add(replies.error || "Xin lỗi, hệ thống đang bận. Bạn thử lại sau ít phút nhé.", "bot"); return; }
    for(const m of replies){
      const d = add(m.text || "", "bot");
      for(const b of (m.buttons||[])){const x=document.createElement("button");x.className="btn";x.textContent=b.title;x.onclick=()=>send(b.payload,b.title);d.appendChild(document.createElement("br"));d.appendChild(x);}
    }
  }catch(e){ add("Xin lỗi, không kết nối được với trợ lý. Bạn thử lại sau ít phút nhé.", "bot"); }
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
setInterval(poll, 3000);
document.getElementById("f").onsubmit = e => {e.preventDefault(); const t=document.getElementById("t"); if(t.value.trim()){send(t.value.trim()); t.value="";}};
