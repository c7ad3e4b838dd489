/* Small reading aids for the book's pages; everything works offline and from the file system.
 *
 * 1. Every figure links to its image file, so a reader (on a phone especially) can open it at
 *    full size.
 * 2. Numbers in ledgers and output tables never break across lines ("5.0e-" / "09"), also beside
 *    typeset math, and long dotted names in ledgers break after a dot rather than mid-word.
 * 3. Inline math wider than its paragraph scrolls inside its own box.
 * 4. Search snippets come from the article text, with the page's menus, code and math delimiters
 *    left out.
 */
(function () {
  "use strict";

  function linkFigures() {
    document.querySelectorAll(".bd-article figure img, .bd-article .cell_output img").forEach((img) => {
      if (img.closest("a")) return;
      const link = document.createElement("a");
      link.href = img.getAttribute("src");
      link.className = "scispaces-figure-link";
      link.title = "Open the figure at full size";
      img.replaceWith(link);
      link.appendChild(img);
    });
  }

  // A number: optional sign, digits, decimals, exponent, or an interval such as [4.6, 7.0].
  const NUMBER = /[-+\u2212]?\d[\d.,]*(?:e[-+]?\d+)?%?/g;

  // Cells with math are done once MathJax has typeset them (whenTypeset below), and only in
  // the text around the formulas.
  function keepNumbersWhole(cell) {
    if (/\\\(|\$/.test(cell.textContent)) return; // not typeset yet
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    const nodes = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.parentElement.closest("mjx-container, .scispaces-nobr")) nodes.push(node);
    }
    nodes.forEach((node) => {
      const text = node.textContent;
      if (!NUMBER.test(text)) return;
      NUMBER.lastIndex = 0;
      const parts = document.createDocumentFragment();
      let last = 0;
      for (const match of text.matchAll(NUMBER)) {
        parts.append(text.slice(last, match.index));
        const span = document.createElement("span");
        span.className = "scispaces-nobr";
        span.textContent = match[0];
        parts.append(span);
        last = match.index + match[0].length;
      }
      parts.append(text.slice(last));
      node.replaceWith(parts);
    });
  }

  // Long dotted names (scispaces.angles.angle_pdf) may break after a dot or an underscore
  // rather than mid-word.
  function breakAfterDots(cell) {
    if (/\\\(|\$/.test(cell.textContent)) return; // cells with math are left to MathJax
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    const nodes = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) nodes.push(node);
    nodes.forEach((node) => {
      const parts = node.textContent.split(/(?<=\w[._])(?=\w)/);
      if (parts.length < 2) return;
      const fragment = document.createDocumentFragment();
      parts.forEach((part, i) => {
        if (i) fragment.append(document.createElement("wbr"));
        fragment.append(part);
      });
      node.replaceWith(fragment);
    });
  }

  function markWideInlineMath() {
    document.querySelectorAll("mjx-container[jax]:not([display='true'])").forEach((math) => {
      const parent = math.parentElement;
      if (!parent) return;
      math.classList.remove("scispaces-wide-inline");
      if (math.getBoundingClientRect().width > parent.clientWidth + 1) {
        math.classList.add("scispaces-wide-inline");
      }
    });
  }

  function whenTypeset(callback) {
    const start = Date.now();
    (function poll() {
      if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
        MathJax.startup.promise.then(callback);
      } else if (Date.now() - start < 20000) {
        setTimeout(poll, 100);
      }
    })();
  }

  // Sphinx builds a snippet from the text of [role=main], which here also holds the page's
  // menus and buttons; take the article only, without code cells, and collapse whitespace.
  function improveSearchSnippets() {
    if (typeof Search === "undefined" || !Search.htmlToText) return;
    Search.htmlToText = (htmlString, anchor) => {
      const doc = new DOMParser().parseFromString(htmlString, "text/html");
      doc.querySelectorAll(".headerlink, script, style, .cell_input").forEach((el) => el.remove());
      const article = doc.querySelector("article.bd-article") || doc.querySelector('[role="main"]');
      if (!article) return "";
      const part = (anchor && article.querySelector(anchor)) || article;
      part.querySelectorAll("p, dt, dd, li, h1, h2, h3, h4, td, th, caption, figcaption, div").forEach((el) => el.append(" "));
      // Snippets are plain text: drop the math delimiters and keep the TeX between them.
      return part.textContent.replace(/\\[()[\]]|\$\$/g, "").replace(/\s+/g, " ").trim();
    };
  }

  improveSearchSnippets();
  document.addEventListener("DOMContentLoaded", () => {
    improveSearchSnippets();
    linkFigures();
    const numberCells = () =>
      document
        .querySelectorAll(
          "table.scispaces-ledger td[data-label='measured'], table.scispaces-ledger td[data-label='tolerance'], .cell_output table td"
        )
        .forEach(keepNumbersWhole);
    numberCells();
    whenTypeset(numberCells);
    document
      .querySelectorAll("table.scispaces-ledger td[data-label='how checked'], table.scispaces-ledger td[data-label='claim']")
      .forEach(breakAfterDots);
    whenTypeset(markWideInlineMath);
    let pending = null;
    window.addEventListener("resize", () => {
      clearTimeout(pending);
      pending = setTimeout(markWideInlineMath, 200);
    });
  });
})();
