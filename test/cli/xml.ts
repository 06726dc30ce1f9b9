// A strict parser for the XML our SVG charts use (elements, attributes, text, comments, the five predefined entities
// and numeric references). It throws on anything not well-formed: unbalanced or crossed tags, unquoted or repeated
// attributes, a stray "<" or "&", text outside the root, more than one root.

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = /^[A-Za-z_:][\w.:-]*/;
const ENTITY = /^&(?:lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/;

function checkText(s: string, where: number): void {
  for (let k = 0; k < s.length; k++) {
    if (s[k] === '<') throw new Error(`stray "<" at ${where + k}`);
    if (s[k] === '&' && !ENTITY.test(s.slice(k))) throw new Error(`bad entity at ${where + k}`);
  }
}

export function parseXml(src: string): XmlElement {
  let at = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  const skipProlog = () => {
    for (;;) {
      const m = /^\s*(<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>]*>)/.exec(src.slice(at));
      if (!m) return;
      at += m[0].length;
    }
  };
  skipProlog();
  while (at < src.length) {
    const lt = src.indexOf('<', at);
    const text = src.slice(at, lt < 0 ? src.length : lt);
    if (stack.length === 0) {
      if (text.trim() !== '') throw new Error(`text outside the root at ${at}`);
    } else {
      checkText(text, at);
      stack[stack.length - 1].text += text;
    }
    if (lt < 0) break;
    at = lt;
    if (src.startsWith('<!--', at)) {
      const end = src.indexOf('-->', at);
      if (end < 0) throw new Error('unterminated comment');
      at = end + 3;
      continue;
    }
    if (src.startsWith('</', at)) {
      const m = /^<\/([A-Za-z_:][\w.:-]*)\s*>/.exec(src.slice(at));
      if (!m) throw new Error(`bad end tag at ${at}`);
      const open = stack.pop();
      if (!open || open.name !== m[1]) throw new Error(`</${m[1]}> at ${at} closes <${open?.name ?? 'nothing'}>`);
      at += m[0].length;
      continue;
    }
    at++;
    const nm = NAME.exec(src.slice(at));
    if (!nm) throw new Error(`bad tag name at ${at}`);
    const el: XmlElement = { name: nm[0], attrs: {}, children: [], text: '' };
    at += nm[0].length;
    for (;;) {
      const ws = /^\s*/.exec(src.slice(at))![0];
      at += ws.length;
      if (src.startsWith('/>', at) || src[at] === '>') break;
      if (ws.length === 0) throw new Error(`attributes need white space between them at ${at}`);
      const am = /^([A-Za-z_:][\w.:-]*)\s*=\s*("([^"<]*)"|'([^'<]*)')/.exec(src.slice(at));
      if (!am) throw new Error(`bad attribute at ${at}: ${src.slice(at, at + 30)}`);
      if (am[1] in el.attrs) throw new Error(`repeated attribute ${am[1]} at ${at}`);
      const value = am[3] ?? am[4];
      checkText(value, at);
      el.attrs[am[1]] = value;
      at += am[0].length;
    }
    if (stack.length > 0) stack[stack.length - 1].children.push(el);
    else if (root) throw new Error(`a second root element <${el.name}> at ${at}`);
    else root = el;
    if (src.startsWith('/>', at)) at += 2;
    else {
      at += 1;
      stack.push(el);
    }
  }
  if (stack.length > 0) throw new Error(`<${stack[stack.length - 1].name}> is never closed`);
  if (!root) throw new Error('no root element');
  return root;
}

/** Every element of a tree, depth first. */
export function allElements(el: XmlElement): XmlElement[] {
  return [el, ...el.children.flatMap(allElements)];
}
