/*
 * The OIDC login without third-party cookies: the LTI platform storage (1EdTech "LTI Client
 * Side postMessages", "LTI postMessage Storage", "OIDC Login with LTI Client Side
 * postMessages"). Plain script, not part of the Vite build: the two login pages load it alone.
 *
 * Its settings are the JSON in #lti-storage-config (storage_page_config in
 * lti_tool/lti/launch.py):
 *   mode "put"   (login)  - lti.put_data the state and nonce into the platform's frame, then
 *                           go on to `next`, the platform's auth URL. If the storage fails it
 *                           goes on anyway: the state cookie may still work in this browser.
 *   mode "check" (launch) - lti.get_data both back, compare them with what the server issued,
 *                           and post the launch again with the values read; else show `error`.
 * Messages go only to `origin` (the platform's), and only answers from it are read.
 */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("lti-storage-config").textContent);

  function messageId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return "lti-" + Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  /* The platform's window that keeps the data: the frame named by lti_storage_target in the
     window that embeds (or opened) the tool, or that window itself for "_parent". */
  function storageWindow() {
    var host = window.opener || window.parent;
    if (!host || host === window) {
      throw new Error("the tool is not inside a learning platform window");
    }
    if (config.target === "_parent") {
      return host;
    }
    var frame = host.frames[config.target];
    if (!frame) {
      throw new Error("the platform has no frame named " + config.target);
    }
    return frame;
  }

  /* One request and its ".response": same message_id, from the platform's origin only. */
  function ask(target, message) {
    message.message_id = messageId();
    return new Promise(function (resolve, reject) {
      var timer = window.setTimeout(function () {
        stop();
        reject(new Error(message.subject + ": no answer from the platform"));
      }, config.timeoutMs);

      function onMessage(event) {
        var data = event.data;
        if (event.origin !== config.origin || !data || typeof data !== "object") {
          return;
        }
        if (data.message_id !== message.message_id ||
            data.subject !== message.subject + ".response") {
          return;
        }
        stop();
        if (data.error) {
          reject(new Error(message.subject + ": " + String(data.error.code) + " " +
                           String(data.error.message || "")));
        } else if (data.key !== undefined && data.key !== message.key) {
          reject(new Error(message.subject + ": the answer is for another key"));
        } else {
          resolve(data);
        }
      }

      function stop() {
        window.clearTimeout(timer);
        window.removeEventListener("message", onMessage);
      }

      window.addEventListener("message", onMessage);
      target.postMessage(message, config.origin);
    });
  }

  function putAll() {
    var target = storageWindow();
    return Promise.all(config.items.map(function (item) {
      return ask(target, { subject: "lti.put_data", key: item.key, value: item.value });
    }));
  }

  function getAll() {
    var target = storageWindow();
    return Promise.all(config.items.map(function (item) {
      return ask(target, { subject: "lti.get_data", key: item.key }).then(function (data) {
        if (data.value !== item.value) {
          throw new Error("the platform storage does not hold this login's " + item.key);
        }
        return data.value;
      });
    }));
  }

  function login() {
    Promise.resolve()
      .then(putAll)
      .catch(function (error) {
        console.warn("LTI platform storage not used, relying on the state cookie:", error.message);
      })
      .then(function () {
        window.location.replace(config.next);
      });
  }

  function launch() {
    Promise.resolve()
      .then(getAll)
      .then(function (values) {
        var form = document.getElementById("lti-storage-launch");
        config.proofFields.forEach(function (name, index) {
          form.elements[name].value = values[index];
        });
        form.submit();
      }, function (error) {
        console.warn("LTI platform storage check failed:", error.message);
        document.getElementById("storage-status").hidden = true;
        document.getElementById("error-message").textContent = config.error;
        document.getElementById("storage-error").hidden = false;
      });
  }

  if (config.mode === "put") {
    login();
  } else {
    launch();
  }
}());
