// Loaded before textual.js. The page's Content-Security-Policy allows <style> elements only
// with this page's nonce; the terminal library creates some, so they get the nonce here.
(function () {
  "use strict";
  var nonce = document.currentScript && document.currentScript.nonce;
  if (nonce) {
    var create = Document.prototype.createElement;
    Document.prototype.createElement = function (name, options) {
      var element = create.call(this, name, options);
      if (typeof name === "string" && name.toLowerCase() === "style") {
        element.nonce = nonce;
      }
      return element;
    };
  }
  // textual.js opens a delivered file with window.open(), which popup blockers stop (it runs
  // on a websocket message, not a click). A link with `download` is not blocked and keeps the
  // page. Any other window.open (links in a contribution, the app's open_url) is dropped:
  // untrusted addresses are never opened from here.
  window.open = function (url) {
    var target;
    try {
      target = new URL(url, window.location.href);
    } catch (error) {
      return null;
    }
    if (target.origin === window.location.origin && target.pathname.indexOf("/download/") === 0) {
      var link = document.createElement("a");
      link.href = target.href;
      link.download = "";
      document.body.appendChild(link);
      link.click();
      link.remove();
    }
    return null;
  };
  document.addEventListener("DOMContentLoaded", function () {
    var restart = document.getElementById("restart");
    if (restart) {
      restart.addEventListener("click", function () {
        window.location.reload();
      });
    }
  });
})();
