/* Paste into a narrative text (textarea[data-markdown]): HTML on the clipboard (Word, a web page) becomes the
   Markdown subset the report renders (rapporter/berattelse.py): headings h1–h4, paragraphs, lists (real ul/ol
   and Word's "mso-list" paragraphs), tables, links (http, https, mailto), bold and italic. Styles, classes,
   images and Word's own markup are dropped. The HTML is parsed with DOMParser (inert: nothing runs). */
(function () {
  "use strict";

  var SKIP = { STYLE: 1, SCRIPT: 1, META: 1, LINK: 1, TITLE: 1, HEAD: 1, IMG: 1, SVG: 1, OBJECT: 1, IFRAME: 1, TEMPLATE: 1 };

  function escapeInline(text) {
    return text.replace(/([\\`*_\[\]<|])/g, "\\$1");
  }

  function escapeLine(line) {
    // What Markdown would read at the start of a line: headings, quotes, list markers, rules.
    return line.replace(/^([#>+=-])/, "\\$1").replace(/^(\d{1,9})([.)])/, "$1\\$2");
  }

  function squash(text) {
    return text.replace(/[\s\u00a0]+/g, " ");
  }

  function isWordListItem(el) {
    var style = el.getAttribute && (el.getAttribute("data-style") || "");
    return el.tagName === "P" && /mso-list:\s*l\d+\s+level(\d+)/i.test(style);
  }

  function wordListLevel(el) {
    var m = /mso-list:\s*l\d+\s+level(\d+)/i.exec(el.getAttribute("data-style") || "");
    return m ? parseInt(m[1], 10) : 1;
  }

  function isIgnoredWordSpan(el) {
    return /mso-list:\s*ignore/i.test(el.getAttribute("data-style") || "");
  }

  // Inline content of an element as Markdown on one line (line breaks as "\n").
  function inline(node) {
    var out = "";
    node.childNodes.forEach(function (child) {
      if (child.nodeType === 3) {
        out += escapeInline(squash(child.nodeValue));
        return;
      }
      if (child.nodeType !== 1 || SKIP[child.tagName]) return;
      if (child.tagName === "SPAN" && isIgnoredWordSpan(child)) return;
      var inner;
      switch (child.tagName) {
        case "BR":
          out += "\n";
          break;
        case "B":
        case "STRONG":
          inner = inline(child).trim();
          if (inner) out += "**" + inner + "**";
          break;
        case "I":
        case "EM":
          inner = inline(child).trim();
          if (inner) out += "*" + inner + "*";
          break;
        case "A":
          inner = inline(child).trim();
          var href = child.getAttribute("href") || "";
          if (/^(https?:|mailto:)/i.test(href) && inner) {
            out += "[" + inner + "](" + href.replace(/[()\s]/g, encodeURIComponent) + ")";
          } else {
            out += inner;
          }
          break;
        default:
          out += inline(child);
      }
    });
    return out;
  }

  function paragraph(node) {
    return inline(node)
      .split("\n")
      .map(function (l) { return escapeLine(l.trim()); })
      .filter(function (l) { return l; })
      .join("\n");
  }

  function list(el, depth) {
    var ordered = el.tagName === "OL";
    var lines = [];
    var n = 0;
    el.childNodes.forEach(function (li) {
      if (li.nodeType !== 1) return;
      if (li.tagName === "UL" || li.tagName === "OL") {
        lines = lines.concat(list(li, depth + 1));
        return;
      }
      if (li.tagName !== "LI") return;
      n += 1;
      var own = li.ownerDocument.createElement("div"); // the inert parsed document: its styles never apply
      var nested = [];
      li.childNodes.forEach(function (c) {
        if (c.nodeType === 1 && (c.tagName === "UL" || c.tagName === "OL")) nested.push(c);
        else own.appendChild(c.cloneNode(true));
      });
      var text = inline(own).replace(/\s*\n\s*/g, " ").trim();
      lines.push(indent(depth) + (ordered ? n + ". " : "- ") + text);
      nested.forEach(function (c) { lines = lines.concat(list(c, depth + 1)); });
    });
    return lines;
  }

  function indent(depth) {
    return new Array(depth * 4 + 1).join(" ");
  }

  function cell(td) {
    return inline(td).replace(/\s*\n\s*/g, " ").trim();
  }

  function table(el) {
    var rows = [];
    el.querySelectorAll("tr").forEach(function (tr) {
      var cells = [];
      tr.childNodes.forEach(function (c) {
        if (c.nodeType === 1 && (c.tagName === "TD" || c.tagName === "TH")) cells.push(cell(c));
      });
      if (cells.length) rows.push(cells);
    });
    if (!rows.length) return "";
    var width = Math.max.apply(null, rows.map(function (r) { return r.length; }));
    var line = function (r) {
      var full = r.slice();
      while (full.length < width) full.push("");
      return "| " + full.join(" | ") + " |";
    };
    var out = [line(rows[0]), "|" + new Array(width + 1).join(" --- |")];
    rows.slice(1).forEach(function (r) { out.push(line(r)); });
    return out.join("\n");
  }

  // Block-level walk: a list of Markdown blocks (joined by blank lines).
  function blocks(node, out) {
    var wordList = [];
    function flushWordList() {
      if (wordList.length) out.push(wordList.join("\n"));
      wordList = [];
    }
    node.childNodes.forEach(function (el) {
      if (el.nodeType === 3) {
        var t = squash(el.nodeValue).trim();
        if (t) { flushWordList(); out.push(escapeLine(escapeInline(t))); }
        return;
      }
      if (el.nodeType !== 1 || SKIP[el.tagName]) return;
      if (isWordListItem(el)) {
        var marker = "";
        el.querySelectorAll("span").forEach(function (s) {
          if (!marker && isIgnoredWordSpan(s)) marker = squash(s.textContent).trim();
        });
        var numbered = /^[0-9a-z]{1,4}[.)]$/i.test(marker);
        // Markdown numbers an ordered list itself: every item may say "1.".
        wordList.push(indent(wordListLevel(el) - 1) + (numbered ? "1. " : "- ") + inline(el).replace(/\s*\n\s*/g, " ").trim());
        return;
      }
      flushWordList();
      var m = /^H([1-6])$/.exec(el.tagName);
      if (m) {
        var h = inline(el).replace(/\s*\n\s*/g, " ").trim();
        if (h) out.push(new Array(Math.min(parseInt(m[1], 10), 4) + 1).join("#") + " " + h);
        return;
      }
      if (el.tagName === "UL" || el.tagName === "OL") {
        var l = list(el, 0);
        if (l.length) out.push(l.join("\n"));
        return;
      }
      if (el.tagName === "TABLE") {
        var t2 = table(el);
        if (t2) out.push(t2);
        return;
      }
      if (el.tagName === "P") {
        var p = paragraph(el);
        if (p) out.push(p);
        return;
      }
      if (/^(DIV|SECTION|ARTICLE|MAIN|BODY|BLOCKQUOTE|HEADER|FOOTER|CENTER)$/.test(el.tagName)) {
        blocks(el, out);
        return;
      }
      var rest = paragraph(el);
      if (rest) out.push(rest);
    });
    flushWordList();
    return out;
  }

  function toMarkdown(html) {
    // Chromium checks the page's CSP even while parsing into an inert document (and reports what it blocks):
    // style elements go, style and event attributes are renamed before parsing (Word's list markers are read
    // from data-style). Nothing of the parsed document is put into the page: only the Markdown text.
    html = html.replace(/<style[\s\S]*?<\/style\s*>/gi, "").replace(/<[^>]+>/g, function (tag) {
      return tag.replace(/(\s)(style|on[a-z]+)(\s*=)/gi, "$1data-$2$3");
    });
    var doc = new DOMParser().parseFromString(html, "text/html");
    return blocks(doc.body, []).join("\n\n");
  }

  function onPaste(event) {
    var data = event.clipboardData;
    if (!data) return;
    var html = data.getData("text/html");
    if (!html) return;
    var md = toMarkdown(html);
    if (!md) return;
    event.preventDefault();
    var ta = event.target;
    ta.setRangeText(md, ta.selectionStart, ta.selectionEnd, "end");
    ta.dispatchEvent(new Event("input", { bubbles: true }));
  }

  document.querySelectorAll("textarea[data-markdown]").forEach(function (ta) {
    ta.addEventListener("paste", onPaste);
  });
  window.socialrapportMarkdown = { toMarkdown: toMarkdown };
})();
