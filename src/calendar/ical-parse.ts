import { ConfigError } from '../errors.ts';

/**
 * The RFC 5545 text layer: unfolds lines, splits content lines into name,
 * parameters and value, and nests BEGIN/END components. It knows nothing of
 * events; ical.ts reads those.
 */

export interface IcalProperty {
  name: string;
  params: Record<string, string[]>;
  value: string;
  /** 1-based line of the property's first physical line. */
  line: number;
}

export interface IcalComponent {
  name: string;
  properties: IcalProperty[];
  components: IcalComponent[];
  line: number;
}

export function icalProblem(file: string, line: number | null, message: string, fix: string): ConfigError {
  return new ConfigError([{ file, line, message, fix }]);
}

/** Logical lines: a physical line starting with a space or tab continues the previous one (RFC 5545 §3.1). */
export function unfold(text: string): Array<{ text: string; line: number }> {
  const out: Array<{ text: string; line: number }> = [];
  const physical = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  for (let i = 0; i < physical.length; i++) {
    const raw = physical[i] as string;
    const last = out[out.length - 1];
    if ((raw.startsWith(' ') || raw.startsWith('\t')) && last) last.text += raw.slice(1);
    else if (raw.trim() !== '') out.push({ text: raw, line: i + 1 });
  }
  return out;
}

export function parseContentLine(text: string, line: number, file: string): IcalProperty {
  const bad = (what: string) =>
    icalProblem(
      file,
      line,
      `${what} in "${text.length > 60 ? `${text.slice(0, 57)}…` : text}"`,
      'write NAME;PARAM=value:VALUE',
    );
  const name = /^[A-Za-z0-9-]+/.exec(text)?.[0];
  if (!name) throw bad('no property name');
  let i = name.length;
  const params: Record<string, string[]> = {};
  while (text[i] === ';') {
    const pname = /^[A-Za-z0-9-]+=/.exec(text.slice(i + 1))?.[0];
    if (!pname) throw bad('a parameter without NAME=');
    i += 1 + pname.length;
    const values: string[] = [];
    for (let guard = 0; guard < 1000; guard++) {
      if (text[i] === '"') {
        const close = text.indexOf('"', i + 1);
        if (close < 0) throw bad('an unclosed quote');
        values.push(text.slice(i + 1, close));
        i = close + 1;
      } else {
        const rest = text.slice(i);
        const len = rest.search(/[,;:]/);
        if (len < 0) throw bad('no ":" before the value');
        values.push(rest.slice(0, len));
        i += len;
      }
      if (text[i] !== ',') break;
      i++;
    }
    params[pname.slice(0, -1).toUpperCase()] = values;
  }
  if (text[i] !== ':') throw bad('no ":" before the value');
  return { name: name.toUpperCase(), params, value: text.slice(i + 1), line };
}

/** Parses iCalendar text into its top-level components (normally one VCALENDAR). */
export function parseIcal(text: string, file: string): IcalComponent[] {
  const roots: IcalComponent[] = [];
  const stack: IcalComponent[] = [];
  for (const logical of unfold(text)) {
    const prop = parseContentLine(logical.text, logical.line, file);
    const top = stack[stack.length - 1];
    if (prop.name === 'BEGIN') {
      stack.push({ name: prop.value.trim().toUpperCase(), properties: [], components: [], line: prop.line });
    } else if (prop.name === 'END') {
      const name = prop.value.trim().toUpperCase();
      if (!top || top.name !== name) {
        throw icalProblem(
          file,
          prop.line,
          `END:${name} does not close ${top ? `BEGIN:${top.name} (line ${top.line})` : 'any BEGIN'}`,
          'pair every BEGIN with a matching END',
        );
      }
      stack.pop();
      const parent = stack[stack.length - 1];
      if (parent) parent.components.push(top);
      else roots.push(top);
    } else if (top) {
      top.properties.push(prop);
    } else {
      throw icalProblem(file, prop.line, `${prop.name} outside any component`, 'start the file with BEGIN:VCALENDAR');
    }
  }
  const open = stack[stack.length - 1];
  if (open) throw icalProblem(file, open.line, `BEGIN:${open.name} has no END`, `add END:${open.name}`);
  if (!roots.some((c) => c.name === 'VCALENDAR')) {
    throw icalProblem(file, 1, 'no BEGIN:VCALENDAR found', 'give an iCalendar (.ics) file');
  }
  return roots;
}

/** TEXT values: `\n`, `\,`, `\;` and `\\` escapes (RFC 5545 §3.3.11). */
export function unescapeText(value: string): string {
  return value.replace(/\\([\\;,nN])/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
}
