// The share link carries its token in the URL fragment, which browsers never
// send to a server (so it stays out of access logs and Referer headers): copy
// it into the download form, then drop it from the address bar and history.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const field = document.querySelector("#share-get input[name=token]");
  const token = decodeURIComponent(window.location.hash.slice(1));
  if (field && token) {
    field.value = token;
    history.replaceState(null, "", window.location.pathname);
  }
});
