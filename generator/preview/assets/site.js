// The preview's controls: light or dark (following the system until chosen), phone or desktop
// width; math typesetting; live reload and error display when served by `conceptdeck watch`;
// and a measuring mode (?measure) the tests use to find cards wider than their frame.
(function () {
  "use strict";
  const body = document.body;
  const saved = (name, fallback) => localStorage.getItem("conceptdeck-" + name) || fallback;
  const systemDark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  const params = new URLSearchParams(location.search);

  function apply(theme, width) {
    const dark = theme === "dark";
    body.classList.toggle("dark", dark);
    body.classList.toggle("desktop", width === "desktop");
    document.querySelectorAll(".cd-frame .card").forEach((card) => {
      card.classList.toggle("nightMode", dark);  // Anki desktop marks night mode so,
      card.classList.toggle("night_mode", dark); // AnkiDroid so.
    });
    const themeButton = document.getElementById("cd-theme");
    const widthButton = document.getElementById("cd-width");
    if (themeButton) themeButton.textContent = dark ? "Light" : "Dark";
    if (widthButton) widthButton.textContent = width === "desktop" ? "Phone width" : "Desktop width";
  }

  let theme = params.get("theme") || saved("theme", systemDark ? "dark" : "light");
  let width = params.get("width") || saved("width", "phone");
  apply(theme, width);
  document.getElementById("cd-theme")?.addEventListener("click", () => {
    theme = theme === "dark" ? "light" : "dark";
    localStorage.setItem("conceptdeck-theme", theme);
    apply(theme, width);
  });
  document.getElementById("cd-width")?.addEventListener("click", () => {
    width = width === "desktop" ? "phone" : "desktop";
    localStorage.setItem("conceptdeck-width", width);
    apply(theme, width);
  });

  const typeset = window.MathJax && MathJax.startup && MathJax.startup.promise
    ? MathJax.startup.promise.then(() => MathJax.typesetPromise && MathJax.typesetPromise())
    : Promise.resolve();

  if (params.has("measure")) {
    typeset.then(() => {
      const wide = [];
      document.querySelectorAll(".cd-frame").forEach((frame) => {
        if (frame.scrollWidth > frame.clientWidth + 1) wide.push(frame.dataset.card);
      });
      const math = document.querySelectorAll("mjx-container, .MathJax, .MathJax_Display").length;
      body.setAttribute("data-overflow", JSON.stringify(wide));
      body.setAttribute("data-math", String(math));
      body.setAttribute("data-measured", "1");
    });
  }

  // Served by `conceptdeck watch`: reload when a rebuild finishes, show errors while they last.
  if (location.protocol.startsWith("http")) {
    let version = null;
    const box = document.getElementById("cd-errors");
    async function poll() {
      try {
        const status = await (await fetch("/__conceptdeck/status", { cache: "no-store" })).json();
        if (version !== null && status.version !== version) location.reload();
        version = status.version;
        if (box) {
          box.hidden = !status.errors;
          box.textContent = status.errors || "";
        }
      } catch (e) { /* the server is restarting; try again */ }
      setTimeout(poll, 500);
    }
    poll();
  }
})();
