/* The offline verifier (/verify/scan/): reads a BAST's QR code, checks the platform's
   Ed25519 signature over the statement it carries, and shows what was signed.

   The QR code's text is the verification page's address with "#p=<statement>.<signature>"
   (base64url); the statement is canonical JSON signed as it stands, so it is checked
   byte for byte and never re-encoded here. Keys come from /.well-known/ksbb-keys.json,
   kept by the service worker and in localStorage for offline use. WebCrypto's Ed25519
   where the browser has it, else the vendored @noble/ed25519. */
const root = document.getElementById("scan");
const msg = (name) => root.dataset["msg" + name[0].toUpperCase() + name.slice(1)] || name;
const label = (name) => root.dataset["label" + name[0].toUpperCase() + name.slice(1)] || name;
const $ = (id) => document.getElementById(id);
const KEYS_STORE = "ksbb-verify-keys";

function status(text) { $("scan-status").textContent = text; }

function unb64url(text) {
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

async function loadKeys() {
  let doc = null;
  try {
    const response = await fetch(root.dataset.keysUrl, {cache: "no-cache"});
    if (response.ok) {
      doc = await response.json();
      localStorage.setItem(KEYS_STORE, JSON.stringify(doc));
    }
  } catch (e) { /* offline: the kept copy below */ }
  if (!doc) {
    try { doc = JSON.parse(localStorage.getItem(KEYS_STORE) || "null"); } catch (e) { doc = null; }
  }
  const keys = {};
  for (const key of (doc && doc.keys) || []) keys[key.key_id] = key;
  return keys;
}

async function ed25519Verify(publicKey, signature, message) {
  try {
    const key = await crypto.subtle.importKey("raw", publicKey, {name: "Ed25519"}, false,
                                              ["verify"]);
    return await crypto.subtle.verify({name: "Ed25519"}, key, signature, message);
  } catch (e) {
    const noble = await import(root.dataset.nobleUrl);
    try { return await noble.verifyAsync(signature, message, publicKey); } catch (e2) {
      return false;
    }
  }
}

function parseQr(text) {
  const hash = text.indexOf("#");
  if (hash < 0) return null;
  const params = new URLSearchParams(text.slice(hash + 1));
  const packed = params.get("p") || "";
  const dot = packed.indexOf(".");
  if (dot < 1) return null;
  try {
    const statement = unb64url(packed.slice(0, dot));
    const signature = unb64url(packed.slice(dot + 1));
    const data = JSON.parse(new TextDecoder("utf-8", {fatal: true}).decode(statement));
    if (!data || data.t !== "ksbb-bast/1" || signature.length !== 64) return null;
    return {statement, signature, data, statementText: new TextDecoder().decode(statement)};
  } catch (e) {
    return null;
  }
}

function show(verdict, text, data) {
  $("scan-result").hidden = false;
  const v = $("scan-verdict");
  v.dataset.verdict = verdict;
  v.textContent = text;
  const dl = $("scan-content");
  dl.replaceChildren();
  $("scan-online").textContent = "";
  if (!data) return;
  const rows = [["number", data.n], ["date", data.d], ["recipient", data.r], ["area", data.a],
                ["items", (data.i || []).map((l) => `${l[0]}: ${l[1]} ${l[2]}`).join("; ")],
                ["corrects", data.x], ["code", data.c], ["fingerprint", data.f],
                ["key", data.k]];
  for (const [name, value] of rows) {
    if (value === undefined || value === null || value === "") continue;
    const dt = document.createElement("dt");
    dt.textContent = label(name);
    const dd = document.createElement("dd");
    dd.textContent = String(value);
    if (name === "fingerprint") dd.className = "fingerprint";
    dl.append(dt, dd);
  }
}

async function onlineStatus(found) {
  const out = $("scan-online");
  if (!navigator.onLine) { out.textContent = msg("offline"); return; }
  try {
    const response = await fetch(root.dataset.proofUrl + encodeURIComponent(found.data.c) + "/",
                                 {cache: "no-store"});
    if (!response.ok) { out.textContent = msg("offline"); return; }
    const proof = await response.json();
    const notes = [];
    if (proof.statement !== found.statementText) notes.push(msg("differs"));
    if (proof.superseded_by) {
      notes.push(msg("superseded").replace("{number}", proof.superseded_by.number));
      out.dataset.superseded = "1";
    } else {
      notes.push(msg("current"));
    }
    out.textContent = notes.join(" ");
  } catch (e) {
    out.textContent = msg("offline");
  }
}

async function check(text) {
  const found = parseQr(text);
  if (!found) { show("invalid", msg("unreadable"), null); return; }
  const keys = await loadKeys();
  const key = keys[found.data.k];
  if (!key) { show("unknown", msg("unknown"), found.data); return; }
  const ok = await ed25519Verify(unb64url(key.public_key), found.signature, found.statement);
  if (!ok) { show("invalid", msg("invalid"), null); return; }
  show("valid", msg("valid"), found.data);
  await onlineStatus(found);
}

async function decode(source, width, height) {
  if ("BarcodeDetector" in window) {
    try {
      const formats = await window.BarcodeDetector.getSupportedFormats();
      if (formats.includes("qr_code")) {
        const codes = await new window.BarcodeDetector({formats: ["qr_code"]}).detect(source);
        if (codes.length) return codes[0].rawValue;
      }
    } catch (e) { /* fall through to jsQR */ }
  }
  const scale = Math.min(1, 2400 / Math.max(width, height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(width * scale);
  canvas.height = Math.round(height * scale);
  const ctx = canvas.getContext("2d", {willReadFrequently: true});
  ctx.drawImage(source, 0, 0, canvas.width, canvas.height);
  const pixels = ctx.getImageData(0, 0, canvas.width, canvas.height);
  const code = window.jsQR(pixels.data, canvas.width, canvas.height,
                           {inversionAttempts: "attemptBoth"});
  return code ? code.data : null;
}

async function fromFile(file) {
  if (!file) return;
  status("…");
  const bitmap = await createImageBitmap(file);
  const text = await decode(bitmap, bitmap.width, bitmap.height);
  status("");
  if (!text) { show("invalid", msg("none"), null); return; }
  await check(text);
}

let stream = null;

async function fromCamera() {
  const video = $("scan-video");
  try {
    stream = await navigator.mediaDevices.getUserMedia({video: {facingMode: "environment"}});
  } catch (e) {
    status(msg("nocamera"));
    return;
  }
  video.srcObject = stream;
  video.hidden = false;
  await video.play();
  const tick = async () => {
    if (!stream) return;
    if (video.readyState >= 2) {
      const text = await decode(video, video.videoWidth, video.videoHeight);
      if (text) {
        stream.getTracks().forEach((t) => t.stop());
        stream = null;
        video.hidden = true;
        await check(text);
        return;
      }
    }
    setTimeout(tick, 250);
  };
  tick();
}

$("scan-file").addEventListener("change", (event) => fromFile(event.target.files[0]));
$("scan-camera").addEventListener("click", fromCamera);
// A QR code opened by the phone's own camera app lands here with its "#p=" fragment.
if (location.hash.includes("p=")) check(location.href);

if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register(root.dataset.workerUrl)
    .then(() => navigator.serviceWorker.ready)
    .then(() => loadKeys())
    .then(() => { root.dataset.ready = "1"; status(msg("ready")); })
    .catch(() => { loadKeys(); });
} else {
  loadKeys();
}
