// Builds the page's DOM without HTML strings: text is always a text node, so what the API sends
// (names, errors, labels) is never parsed as markup and needs no escaping.

/**
 * `<tag>` with `attrs` (null or undefined leaves one out, true sets it empty) and `children`:
 * nodes, or text (strings, numbers, booleans); null and undefined add nothing, arrays are flattened.
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== null && value !== undefined && value !== false) node.setAttribute(name, value === true ? '' : String(value));
  }
  append(node, children);
  return node;
}

/** Replaces `node`'s children with `children`, taken as el takes them. */
export function fill(node, ...children) {
  node.replaceChildren();
  append(node, children);
}

function append(node, child) {
  if (Array.isArray(child)) for (const c of child) append(node, c);
  else if (child instanceof Node) node.append(child);
  else if (child !== null && child !== undefined) node.append(String(child));
}
