"""Streamlit's own widget strings in Chinese: "Select all", "Upload", "Download as CSV"...

Streamlit ships its widget texts in English only (the file uploader's "Drag and drop file
here" and "Upload", the multiselect's "Select all", the dataframe toolbar's "Download as CSV",
"Search" and "Fullscreen", "Press Enter to apply"). On a Chinese page these sit among Chinese
labels. :func:`translate_widgets` adds a small script to the page (written here, served by the
app itself: nothing is fetched) that translates those texts and the matching tooltips
(``aria-label``, ``title``, ``placeholder``) as Streamlit draws them, and puts the English back
when the user switches to English. Only whole, known strings are replaced; user data is never
touched (it is never equal to one of these strings except by coincidence of a whole cell, and
dataframe cells are drawn on a canvas, out of reach of this script).
"""

from __future__ import annotations

import functools
import json

import streamlit as st

#: Exact English widget texts -> Chinese.
ZH_TEXTS: dict[str, str] = {
    "Select all": "全选",
    "Clear all": "全部清除",
    "Clear selection": "清除选择",
    "No results": "无匹配项",
    "No options to select": "无可选项",
    "Choose an option": "请选择",
    "Choose options": "请选择",
    "Drag and drop file here": "将文件拖放到此处",
    "Drag and drop a file here": "将文件拖放到此处",
    "Drag and drop files here": "将文件拖放到此处",
    "Browse files": "选择文件",
    "Upload": "上传",
    "Remove file": "移除文件",
    "Download as CSV": "下载为 CSV",
    "Search": "搜索",
    "Type to search": "输入以搜索",
    "Fullscreen": "全屏",
    "Close fullscreen": "退出全屏",
    "Show/hide columns": "显示/隐藏列",
    "Add row": "添加行",
    "Delete row": "删除行",
    "Sort ascending": "升序排列",
    "Sort descending": "降序排列",
    "Pin column": "固定列",
    "Unpin column": "取消固定列",
    "Hide column": "隐藏列",
    "Autosize": "自动列宽",
    "Format": "格式",
    "Copy to clipboard": "复制到剪贴板",
    "Press Enter to apply": "按回车键确认",
    "Press Enter to submit form": "按回车键提交",
    "Skip to main content": "跳到主要内容",
    "Running...": "运行中…",
    "Stop": "停止",
    "Collapse sidebar": "收起侧栏",
    "Expand sidebar": "展开侧栏",
    "Open sidebar": "展开侧栏",
    "Close sidebar": "收起侧栏",
    "Sidebar": "侧栏",
    "App pages": "页面",
    "Link to heading": "本节链接",
    "Open": "展开",
    "Close": "关闭",
}
#: (JavaScript regular expression, Chinese replacement) for texts that carry a number.
ZH_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"^Limit (\S+) per file(.*)$", "每个文件不超过 $1$2"),
    (r"^(\S+) per file$", "每个文件不超过 $1"),
    (r"^Select (\d+) matches$", "选择 $1 项匹配"),
    (r"^(\d+) rows?$", "$1 行"),
)

_SCRIPT = """
<script>
(function () {
  var doc = window.parent && window.parent.document ? window.parent.document : document;
  var win = doc.defaultView || window;
  var state = win.__vmWidgetText || (win.__vmWidgetText = {lang: "zh", observer: null});
  state.lang = %(lang)s;
  state.texts = %(texts)s;
  state.patterns = %(patterns)s.map(function (p) { return [new RegExp(p[0]), p[1]]; });
  var ATTRS = ["aria-label", "title", "placeholder"];
  function zh(text) {
    var key = text.trim();
    if (!key) { return null; }
    if (Object.prototype.hasOwnProperty.call(state.texts, key)) { return state.texts[key]; }
    for (var i = 0; i < state.patterns.length; i++) {
      var pattern = state.patterns[i];
      if (pattern[0].test(key)) { return key.replace(pattern[0], pattern[1]); }
    }
    return null;
  }
  function fixText(node) {
    var parent = node.parentElement;
    if (parent && parent.closest("script,style,textarea,code,pre")) { return; }
    if (state.lang !== "zh") {
      if (node.__vmOrig !== undefined && node.nodeValue === node.__vmZh) {
        node.nodeValue = node.__vmOrig;
      }
      return;
    }
    if (node.nodeValue === node.__vmZh) { return; }
    var out = zh(node.nodeValue);
    if (out !== null) { node.__vmOrig = node.nodeValue; node.__vmZh = out; node.nodeValue = out; }
  }
  function fixAttrs(el) {
    for (var i = 0; i < ATTRS.length; i++) {
      var name = ATTRS[i], value = el.getAttribute(name), memo = "__vm_" + name;
      if (value === null) { continue; }
      if (state.lang !== "zh") {
        if (el[memo] && value === el[memo][1]) { el.setAttribute(name, el[memo][0]); }
        continue;
      }
      if (el[memo] && value === el[memo][1]) { continue; }
      var out = zh(value);
      if (out !== null) { el[memo] = [value, out]; el.setAttribute(name, out); }
    }
  }
  function walk(root) {
    if (root.nodeType === 3) { fixText(root); return; }
    if (root.nodeType !== 1) { return; }
    fixAttrs(root);
    var all = root.querySelectorAll("[aria-label],[title],[placeholder]");
    for (var i = 0; i < all.length; i++) { fixAttrs(all[i]); }
    var it = doc.createTreeWalker(root, 4), node;
    while ((node = it.nextNode())) { fixText(node); }
  }
  if (!state.observer) {
    state.observer = new win.MutationObserver(function (records) {
      for (var i = 0; i < records.length; i++) {
        var r = records[i];
        if (r.type === "characterData") { fixText(r.target); }
        else if (r.type === "attributes") { fixAttrs(r.target); }
        else { for (var j = 0; j < r.addedNodes.length; j++) { walk(r.addedNodes[j]); } }
      }
    });
    state.observer.observe(doc.body, {subtree: true, childList: true, characterData: true,
      attributes: true, attributeFilter: ATTRS});
  }
  walk(doc.body);
})();
</script>
"""


@functools.cache
def widget_script(lang: str) -> str:
    """Return the ``<script>`` that translates Streamlit's widget texts into ``lang``."""
    values = {
        "lang": json.dumps(lang),
        "texts": json.dumps(ZH_TEXTS, ensure_ascii=False),
        "patterns": json.dumps([list(p) for p in ZH_PATTERNS], ensure_ascii=False),
    }
    return _SCRIPT % values  # the JSON above holds no "</": it cannot close the script


def translate_widgets(lang: str) -> None:
    """Add the translating script to the page (once per run; it keeps watching the page)."""
    st.html(widget_script(lang), unsafe_allow_javascript=True)
