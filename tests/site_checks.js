// The in-page checks of tests/test_site.py. Each returns [rule, problem] pairs (or data the
// Python side judges); tests/test_site.py documents the rules and their thresholds.
const siteChecks = (() => {
  "use strict";

  // ------------------------------------------------------------------ shared helpers

  const nextFrame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));

  // The text column: the article without its padding, with 1 px of slack.
  function column() {
    const el = document.querySelector("article.bd-article") || document.querySelector("main") || document.body;
    const style = getComputedStyle(el);
    const rect = el.getBoundingClientRect();
    return {
      el,
      left: rect.left + parseFloat(style.paddingLeft) - 1,
      right: rect.right - parseFloat(style.paddingRight) + 1,
    };
  }

  // "<table.scispaces-table> "first words..."": the block an element belongs to.
  function describe(el) {
    const blocks = "table, pre, mjx-container, figure, img, dl, li, p, caption, summary, h1, h2, h3, h4, div";
    const box = el.closest(blocks) || el;
    const classes = typeof box.className === "string" ? box.className.trim().split(/\s+/).slice(0, 2) : [];
    const name = box.tagName.toLowerCase() + (classes[0] ? "." + classes.join(".") : "");
    const text = (box.textContent || box.getAttribute("src") || "").replace(/\s+/g, " ").trim();
    return `<${name}> "${text.slice(0, 60)}"`;
  }

  const scrolls = (el) => /(auto|scroll)/.test(getComputedStyle(el).overflowX);

  // The nearest ancestor that scrolls sideways, up to and including the column.
  function scroller(el, col) {
    for (let a = el.parentElement; a && a !== col.el.parentElement; a = a.parentElement) {
      if (scrolls(a)) return a;
    }
    return null;
  }

  function visible(el) {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  }

  const outside = (rect, col) => rect.right > col.right || rect.left < col.left;

  // ------------------------------------------------------------------ page state

  async function settle() {
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
    const pending = [...document.images].filter((img) => !img.complete);
    await Promise.all(pending.map((img) => new Promise((r) => { img.onload = img.onerror = r; })));
    await nextFrame();
  }

  async function openFolds() {
    document.querySelectorAll("details").forEach((d) => { d.open = true; });
    await new Promise((r) => setTimeout(r, 100));
    await settle();
  }

  async function dark() {
    document.documentElement.dataset.theme = "dark";
    document.documentElement.dataset.mode = "dark";
    await nextFrame();
  }

  // ------------------------------------------------------------------ rule "offline"

  function render() {
    const out = [];
    const math = [...document.querySelectorAll(".math")];
    if (math.length && !window.MathJax) out.push(["offline", "page has math but MathJax did not load"]);
    const untypeset = math.filter((el) => !el.querySelector("mjx-container"));
    if (untypeset.length) out.push(["offline", `${untypeset.length} of ${math.length} math elements not typeset`]);
    const raw = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.parentElement.closest("pre, code, script, style, textarea, mjx-container, #search-results")) continue;
      if (/\\\(|\\\[|\$\$|\$\\[a-zA-Z]/.test(node.textContent)) raw.push(node.textContent.trim().slice(0, 80));
    }
    if (raw.length) out.push(["offline", `raw TeX left in the text: ${JSON.stringify(raw.slice(0, 3))}`]);
    const broken = [...document.images].filter((img) => !(img.complete && img.naturalWidth > 0));
    if (broken.length) {
      out.push(["offline", `images that did not load: ${broken.map((i) => i.getAttribute("src")).join(", ")}`]);
    }
    return out;
  }

  // ------------------------------------------------------------------ rule "page"

  // One search box in view, headings no lighter than the level below, a tab title that does not
  // repeat itself ("Book — Book").
  function pageChrome() {
    const out = [];
    const boxes = [...document.querySelectorAll(".search-button-field, form.bd-search")].filter(visible);
    if (boxes.length > 1) out.push(["page", `${boxes.length} search boxes in view`]);
    const weight = (tag) => {
      const h = document.querySelector(`article ${tag}`);
      return h ? parseInt(getComputedStyle(h).fontWeight, 10) : null;
    };
    const [h1, h2, h3] = ["h1", "h2", "h3"].map(weight);
    if ((h2 !== null && h3 !== null && h2 < h3) || (h1 !== null && h2 !== null && h1 < h2)) {
      out.push(["page", `headings get lighter than the level below (weights h1 ${h1}, h2 ${h2}, h3 ${h3})`]);
    }
    const parts = document.title.split(" \u2014 ");
    if (parts.length === 2 && parts[0].trim() === parts[1].trim()) {
      out.push(["page", `the tab title repeats itself: "${document.title}"`]);
    }
    return out;
  }

  // ------------------------------------------------------------------ rule "fits"

  function fits() {
    const col = column();
    const width = Math.round(col.right - col.left);
    const out = [];
    const seen = new Set();
    const report = (el, kind, what) => {
      const where = describe(el);
      if (seen.has(kind + where)) return;
      seen.add(kind + where);
      out.push(["fits", `${kind} ${what}: ${where}`]);
    };
    const page = document.documentElement.scrollWidth;
    if (page > window.innerWidth + 1) {
      out.push(["fits", `the page scrolls sideways: ${page} px in a ${window.innerWidth} px window`]);
    }
    for (const el of col.el.querySelectorAll("*")) {
      const tag = el.tagName.toLowerCase();
      // MathJax's internals are judged by the formula as a whole (its mjx-math).
      if (el.closest("mjx-container") && tag !== "mjx-container" && tag !== "mjx-math") continue;
      if (el.closest(".sr-only, .visually-hidden, .headerlink, script, style") || !visible(el)) continue;
      const rect = el.getBoundingClientRect();
      if (outside(rect, col)) {
        const box = scroller(el, col);
        if (!box) {
          report(el, "wider than the column", `(${Math.round(rect.width)} px in ${width} px)`);
        } else if (outside(box.getBoundingClientRect(), col)) {
          report(box, "a scrolling box wider than the column", `(${Math.round(box.getBoundingClientRect().width)} px)`);
        }
      }
      const overflows = el.scrollWidth > el.clientWidth + 1;
      // Text, not an element, that runs out of the column: a long word in a heading, say.
      if (overflows && el.clientWidth > 0 && !scrolls(el) && !scroller(el, col)) {
        for (const node of el.childNodes) {
          if (node.nodeType !== Node.TEXT_NODE || !node.textContent.trim()) continue;
          const range = document.createRange();
          range.selectNodeContents(node);
          const text = range.getBoundingClientRect();
          if (outside(text, col)) {
            report(el, "text wider than the column", `(${Math.round(text.right - col.left)} px in ${width} px)`);
            break;
          }
        }
      }
      // Clipped: a box that hides its overflow, with visible content beyond its edges (MathJax's
      // invisible assistive MathML, which always overflows, does not count).
      if (overflows && /(hidden|clip)/.test(getComputedStyle(el).overflowX)) {
        for (const inner of el.querySelectorAll("*")) {
          if (inner.closest("mjx-assistive-mml, .sr-only, .visually-hidden") || !visible(inner)) continue;
          const q = inner.getBoundingClientRect();
          if (q.right > rect.right + 1 || q.left < rect.left - 1) {
            report(el, "content clipped", `(${Math.round(q.right - rect.left)} px in a ${Math.round(rect.width)} px box)`);
            break;
          }
        }
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ rules "ledger", "numbers"

  function ledgers(wide) {
    const col = column();
    const out = [];
    document.querySelectorAll("table.scispaces-ledger").forEach((table, i) => {
      if (!visible(table)) return;
      const caption = table.caption;
      const name = `ledger ${i + 1} ("${(caption ? caption.textContent : "").trim().slice(0, 40)}")`;
      if (caption && (outside(caption.getBoundingClientRect(), col) || caption.scrollWidth > caption.clientWidth + 1)) {
        out.push(["ledger", `${name}: its caption is cut`]);
      }
      const t = table.getBoundingClientRect();
      if (wide) {
        const box = scroller(table, col);
        if (box && box.scrollWidth > box.clientWidth + 1) {
          out.push(["ledger", `${name}: it must be scrolled sideways (${box.scrollWidth} px in ${box.clientWidth} px)`]);
        }
        const seen = box ? Math.min(col.right, box.getBoundingClientRect().right + 1) : col.right;
        const hidden = [...table.querySelectorAll("td.pass, th:last-child")].filter((cell) => {
          const r = cell.getBoundingClientRect();
          return r.right > seen || r.left < col.left;
        });
        if (hidden.length) out.push(["ledger", `${name}: the pass column is out of view`]);
      } else {
        for (const td of table.querySelectorAll("td")) {
          const r = td.getBoundingClientRect();
          const label = getComputedStyle(td, "::before").content;
          if (r.width < 0.9 * t.width || !label || label === "none" || label === "normal") {
            const cell = `${Math.round(r.width)} of ${Math.round(t.width)} px`;
            out.push(["ledger", `${name}: rows are not stacked cards with labels (a cell is ${cell})`]);
            break;
          }
        }
      }
    });
    return out;
  }

  function numbers() {
    const out = [];
    const NUMBER = /[-+\u2212]?\d[\d.]*(?:e[-+]?\d+)?/g;
    const cells = document.querySelectorAll(
      "table.scispaces-ledger td[data-label='measured'], table.scispaces-ledger td[data-label='tolerance'], " +
        ".cell_output table td",
    );
    for (const cell of cells) {
      if (!visible(cell)) continue;
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (node.parentElement.closest("mjx-container")) continue;
        for (const m of node.textContent.matchAll(NUMBER)) {
          const range = document.createRange();
          range.setStart(node, m.index);
          range.setEnd(node, m.index + m[0].length);
          const lines = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
          if (lines.size > 1) {
            const text = cell.textContent.trim().slice(0, 40);
            out.push(["numbers", `"${m[0]}" breaks across lines in the cell "${text}" of ${describe(cell)}`]);
          }
        }
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ rule "no repr" (data)

  // Output text a reader reads: printed text, and table cells with their typeset math removed.
  function outputTexts() {
    const texts = [...document.querySelectorAll(".cell_output pre")].map((el) => ["text", el.textContent]);
    document.querySelectorAll(".cell_output td, .cell_output th, .cell_output caption").forEach((el) => {
      const copy = el.cloneNode(true);
      copy.querySelectorAll("mjx-container").forEach((m) => m.remove());
      texts.push(["cell", copy.textContent]);
    });
    return texts;
  }

  // ------------------------------------------------------------------ rule "figure text" (data)

  // The dpi a PNG records in its pHYs chunk (pixels per metre), or null.
  async function dpiOf(src) {
    try {
      const bytes = new Uint8Array(await (await fetch(src)).arrayBuffer());
      if (bytes[1] !== 0x50 || bytes[2] !== 0x4e || bytes[3] !== 0x47) return null;
      const view = new DataView(bytes.buffer);
      for (let at = 8; at + 8 <= bytes.length; ) {
        const type = String.fromCharCode(...bytes.slice(at + 4, at + 8));
        if (type === "pHYs" && bytes[at + 16] === 1) return view.getUint32(at + 8) * 0.0254;
        if (type === "IDAT") return null;
        at += 12 + view.getUint32(at);
      }
    } catch (e) {
      return null;
    }
    return null;
  }

  async function figures() {
    const out = [];
    for (const img of document.querySelectorAll("article img")) {
      const r = img.getBoundingClientRect();
      if (!(r.width > 0 && img.naturalWidth > 0)) continue;
      const src = img.currentSrc || img.src;
      const link = img.closest("a[href]");
      const style = link ? getComputedStyle(link) : null;
      out.push({
        src: img.getAttribute("src"),
        natural: img.naturalWidth,
        shown: r.width,
        dpi: await dpiOf(src),
        openable: !!link && link.href === src && style.display !== "none" && style.pointerEvents !== "none",
      });
    }
    return out;
  }

  // ------------------------------------------------------------------ rule "contrast"

  const parse = (c) => {
    const m = c.match(/[\d.]+/g);
    return m ? [+m[0], +m[1], +m[2], m.length > 3 ? +m[3] : 1] : [0, 0, 0, 0];
  };
  const over = (top, below) => [0, 1, 2].map((i) => top[i] * top[3] + below[i] * (1 - top[3])).concat([1]);

  // The colour an element's text is drawn on: its and its ancestors' backgrounds, composited.
  function background(el) {
    const layers = [];
    for (let a = el; a; a = a.parentElement) {
      const c = parse(getComputedStyle(a).backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] >= 1) break;
    }
    return layers.reverse().reduce((below, layer) => over(layer, below), [255, 255, 255, 1]);
  }

  function luminance(c) {
    const [r, g, b] = c.slice(0, 3).map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  }

  function contrast(minimum) {
    const selector = [
      "table.scispaces-ledger caption", "table.scispaces-ledger th", "table.scispaces-ledger td",
      "table.scispaces-ledger td *", "table.scispaces-table caption", "table.scispaces-table th",
      "table.scispaces-table td", "table.scispaces-table td *", ".cell_output caption", ".cell_output th",
      ".cell_output td", "details.scispaces-status > summary", "figcaption", "figcaption *",
      ".bd-article p", ".bd-article li", ".bd-article h1", ".bd-article h2", ".bd-article h3",
    ].join(", ");
    const out = [];
    const seen = new Set();
    for (const el of document.querySelectorAll(selector)) {
      const tag = el.tagName.toLowerCase();
      if (el.closest(".headerlink") || (el.closest("mjx-container") && tag !== "mjx-container")) continue;
      const text = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
      if (!(text || tag === "mjx-container") || !visible(el)) continue;
      const style = getComputedStyle(el);
      const bg = background(el);
      const [hi, lo] = [luminance(over(parse(style.color), bg)), luminance(bg)].sort((p, q) => q - p);
      const ratio = (hi + 0.05) / (lo + 0.05);
      const key = tag + style.color + bg.join();
      if (ratio >= minimum || seen.has(key)) continue;
      seen.add(key);
      const on = `rgb(${bg.slice(0, 3).map(Math.round).join(", ")})`;
      const what = `<${tag}> "${el.textContent.trim().slice(0, 50)}"`;
      out.push(["contrast", `contrast ${ratio.toFixed(2)} (${style.color} on ${on}): ${what}`]);
    }
    return out;
  }

  return { settle, openFolds, dark, render, pageChrome, fits, ledgers, numbers, outputTexts, figures, contrast };
})();
