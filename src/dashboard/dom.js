// @ts-check
// Builds the page's DOM without HTML strings: text is always a text node, so what the API sends
// (names, errors, labels) is never parsed as markup and needs no escaping.

/** @typedef {Node | string | number | boolean | null | undefined} Leaf */
/** @typedef {Leaf | (Leaf | Leaf[])[]} Child (JSDoc cannot say "nested to any depth"; two levels are enough here) */

/**
 * `<tag>` with `attrs` (null or undefined leaves one out, true sets it empty) and `children`:
 * nodes, or text (strings, numbers, booleans); null and undefined add nothing, arrays are flattened.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, string | number | boolean | null | undefined>} [attrs]
 * @param {...Child} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== null && value !== undefined && value !== false) node.setAttribute(name, value === true ? '' : String(value));
  }
  append(node, children);
  return node;
}

/**
 * The element `selector` finds in `root` (the document by default); a missing one is a bug of the page.
 * @param {string} selector
 * @param {ParentNode} [root]
 * @returns {HTMLElement}
 */
export function find(selector, root = document) {
  const found = root.querySelector(selector);
  if (!(found instanceof HTMLElement)) throw new Error(`the page has no ${selector}`);
  return found;
}

/**
 * Replaces `node`'s children with `children`, taken as el takes them.
 * @param {Element} node
 * @param {...Child} children
 */
export function fill(node, ...children) {
  node.replaceChildren();
  append(node, children);
}

/** @param {Element} node @param {Child | Child[]} child */
function append(node, child) {
  if (Array.isArray(child)) for (const c of child) append(node, c);
  else if (child instanceof Node) node.append(child);
  else if (child !== null && child !== undefined) node.append(String(child));
}
