// Security keys (WebAuthn) for the privault console. No inline script: the CSP
// allows same-origin files only. A button with data-webauthn="create|get" and
// data-options="<url>" asks its form's URL for options, lets the browser talk
// to the authenticator, puts the signed answer in the form's "webauthn" field
// and submits the form (so CSRF and cookies work as for any other form).
"use strict";
(function () {
  const bytes = (s) => Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
  const b64url = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  const ids = (list) => (list || []).map((c) => ({ ...c, id: bytes(c.id) }));

  function publicKey(kind, o) {
    const key = { ...o, challenge: bytes(o.challenge) };
    if (kind === "create") {
      key.user = { ...o.user, id: bytes(o.user.id) };
      key.excludeCredentials = ids(o.excludeCredentials);
    } else {
      key.allowCredentials = ids(o.allowCredentials);
    }
    return key;
  }

  function answer(cred) {
    const r = cred.response;
    const out = { id: cred.id, rawId: b64url(cred.rawId), type: cred.type, clientExtensionResults: {},
                  response: { clientDataJSON: b64url(r.clientDataJSON) } };
    if (r.attestationObject) {
      out.response.attestationObject = b64url(r.attestationObject);
      out.response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      out.response.authenticatorData = b64url(r.authenticatorData);
      out.response.signature = b64url(r.signature);
      out.response.userHandle = r.userHandle ? b64url(r.userHandle) : null;
    }
    return JSON.stringify(out);
  }

  async function run(button) {
    const form = button.form;
    const say = form.querySelector(".webauthn-error");
    if (say) say.textContent = "";
    try {
      if (!window.PublicKeyCredential) throw new Error("this browser has no WebAuthn support");
      const reply = await fetch(button.dataset.options, { method: "POST", body: new FormData(form), credentials: "same-origin" });
      const options = await reply.json();
      if (!reply.ok) throw new Error(options.detail || "refused");
      const kind = button.dataset.webauthn;
      const cred = await navigator.credentials[kind]({ publicKey: publicKey(kind, options) });
      form.elements.webauthn.value = answer(cred);
      if (button.dataset.action) form.action = button.dataset.action;
      form.submit();
    } catch (err) {
      if (say) say.textContent = err.message || String(err);
    }
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-webauthn]");
    if (!button) return;
    event.preventDefault();
    run(button);
  });
})();
