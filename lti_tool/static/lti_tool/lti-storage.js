/*
 * The OIDC login without third-party cookies: the LTI platform storage (1EdTech "LTI Client
 * Side postMessages", "LTI postMessage Storage", "OIDC Login with LTI Client Side
 * postMessages"). Plain script, not part of the Vite build: the two login pages load it alone.
 *
 * Its settings are the JSON in #lti-storage-config (storage_page_config in
 * lti_tool/lti/launch.py):
 *   mode "put"   (login)  - lti.put_data the state and nonce into the platform's frame, then
 *                           go on to `next`, the platform's auth URL. If the storage fails it
 *                           goes on anyway: the (partitioned) state cookie may still work.
 *   mode "check" (launch) - lti.get_data both back, compare them with what the server issued,
 *                           and post the launch again with the values read; else show `error`
 *                           and the link that opens the same login in a new window.
 *
 * First the handshake: `lti.capabilities` goes to the window that embeds (or opened) the tool,
 * with target origin "*" (it carries nothing secret, and that window may be on another origin
 * than the platform's auth URL, as Canvas's is); no answer means no storage. Its answer may
 * name the frame that keeps the data. Storage messages go to `origin` (the auth URL's) and only
 * its answers count; a platform that never answers there gets them again with target origin
 * "*" (the fallback the specs allow for older platforms), and then only answers from that
 * frame and, at launch, from `trustedOrigins` (signed by the platform in the id_token) count.
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

  /* The platform's window: the one that embeds the tool, or opened it. */
  function hostWindow() {
    var host = window.opener || window.parent;
    if (!host || host === window) {
      throw new Error("the tool is not inside a learning platform window");
    }
    return host;
  }

  /* The frame that keeps the data: named by the capabilities answer, else by
     lti_storage_target; "_parent" is the host window itself. */
  function storageWindow(host, name) {
    if (name === "_parent") {
      return host;
    }
    var frame = host.frames[name];
    if (!frame) {
      throw new Error("the platform has no frame named " + name);
    }
    return frame;
  }

  /* One request and its ".response": same message_id, from `target` and an accepted origin. */
  function ask(target, message, how) {
    message.message_id = messageId();
    return new Promise(function (resolve, reject) {
      var timer = window.setTimeout(function () {
        stop();
        reject(new Error(message.subject + ": no answer from the platform"));
      }, how.timeoutMs);

      function onMessage(event) {
        var data = event.data;
        if (event.source !== target || !how.accepts(event.origin)) {
          return;
        }
        if (!data || typeof data !== "object" || data.message_id !== message.message_id ||
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
      target.postMessage(message, how.targetOrigin);
    });
  }

  function anyOrigin() {
    return true;
  }

  /* The handshake: which frame keeps the data, or an error if the platform has no storage. */
  function capabilities(host) {
    var how = { targetOrigin: "*", accepts: anyOrigin, timeoutMs: config.capabilitiesTimeoutMs };
    return ask(host, { subject: "lti.capabilities" }, how).then(function (data) {
      var supported = Array.isArray(data.supported_messages) ? data.supported_messages : [];
      var frame = "";
      ["lti.put_data", "lti.get_data"].forEach(function (subject) {
        var entry = supported.filter(function (item) {
          return item && item.subject === subject;
        })[0];
        if (!entry) {
          throw new Error("the platform storage does not support " + subject);
        }
        frame = entry.frame || frame;
      });
      return storageWindow(host, frame || config.target);
    });
  }

  /* Every item, to the platform's origin; if that is never answered, once more with "*". */
  function exchange(target, subject, withValue) {
    function send(how) {
      return Promise.all(config.items.map(function (item) {
        var message = { subject: subject, key: item.key };
        if (withValue) {
          message.value = item.value;
        }
        return ask(target, message, how);
      }));
    }
    var strict = {
      targetOrigin: config.origin,
      accepts: function (origin) { return origin === config.origin; },
      timeoutMs: config.timeoutMs,
    };
    var trusted = config.mode === "put" ? anyOrigin : function (origin) {
      return config.trustedOrigins.indexOf(origin) !== -1;
    };
    return send(strict).catch(function (error) {
      if (!/no answer/.test(error.message)) {
        throw error;
      }
      return send({ targetOrigin: "*", accepts: trusted, timeoutMs: config.timeoutMs });
    });
  }

  function withStorage(subject, withValue) {
    return Promise.resolve().then(hostWindow).then(capabilities).then(function (target) {
      return exchange(target, subject, withValue);
    });
  }

  function login() {
    withStorage("lti.put_data", true)
      .catch(function (error) {
        console.warn("LTI platform storage not used, relying on the state cookie:", error.message);
      })
      .then(function () {
        window.location.replace(config.next);
      });
  }

  function launch() {
    withStorage("lti.get_data", false)
      .then(function (answers) {
        var values = answers.map(function (data, index) {
          if (data.value !== config.items[index].value) {
            throw new Error("the platform storage does not hold this login's " +
                            config.items[index].key);
          }
          return data.value;
        });
        var form = document.getElementById("lti-storage-launch");
        config.proofFields.forEach(function (name, index) {
          form.elements[name].value = values[index];
        });
        form.submit();
      })
      .catch(function (error) {
        console.warn("LTI platform storage check failed:", error.message);
        document.getElementById("storage-status").hidden = true;
        document.getElementById("error-message").textContent = config.error;
        var relaunch = document.getElementById("open-in-new-window");
        if (config.relaunchUrl) {
          relaunch.href = config.relaunchUrl;
          relaunch.hidden = false;
        }
        document.getElementById("storage-error").hidden = false;
      });
  }

  if (config.mode === "put") {
    login();
  } else {
    launch();
  }
}());
