/**
 * Block Kit as Slack checks it, for the fake Web API: the block types it
 * knows, and the documented limits on blocks, text objects and elements.
 * Returns Slack's `response_metadata.messages` style problems; none when the
 * payload would be accepted. Not every rule of Block Kit, only its basics.
 */

const BLOCK_TYPES = new Set([
  'actions',
  'context',
  'divider',
  'file',
  'header',
  'image',
  'input',
  'markdown',
  'rich_text',
  'section',
  'video',
]);
const ELEMENT_TYPES = new Set([
  'button',
  'checkboxes',
  'channels_select',
  'conversations_select',
  'datepicker',
  'datetimepicker',
  'email_text_input',
  'external_select',
  'image',
  'multi_static_select',
  'multi_users_select',
  'number_input',
  'overflow',
  'plain_text_input',
  'radio_buttons',
  'static_select',
  'timepicker',
  'url_text_input',
  'users_select',
]);

/** At most 50 blocks in a message, 100 in a modal or Home tab. */
export const MAX_MESSAGE_BLOCKS = 50;
export const MAX_VIEW_BLOCKS = 100;

type Obj = Record<string, unknown>;

class Problems {
  readonly list: string[] = [];
  add(pointer: string, what: string): void {
    this.list.push(`[ERROR] ${what} [json-pointer:${pointer}]`);
  }
}

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A text object: `plain_text` (or `mrkdwn` where allowed) with 1..max characters. */
function text(p: Problems, v: unknown, at: string, max: number, plainOnly = false): void {
  if (!isObj(v)) {
    p.add(at, 'must be a text object');
    return;
  }
  const types = plainOnly ? ['plain_text'] : ['plain_text', 'mrkdwn'];
  if (!types.includes(String(v.type))) p.add(`${at}/type`, `must be one of ${types.join(', ')}`);
  if (typeof v.text !== 'string' || v.text.length === 0) {
    p.add(`${at}/text`, 'must be a non-empty string');
    return;
  }
  if (v.text.length > max) p.add(`${at}/text`, `must be less than ${max + 1} characters`);
}

function maxLength(p: Problems, v: unknown, at: string, max: number): void {
  if (v !== undefined && (typeof v !== 'string' || v.length > max))
    p.add(at, `must be a string of at most ${max} characters`);
}

function option(p: Problems, o: unknown, at: string): void {
  if (!isObj(o)) {
    p.add(at, 'must be an option object');
    return;
  }
  text(p, o.text, `${at}/text`, 75);
  maxLength(p, o.value, `${at}/value`, 150);
  if (o.description !== undefined) text(p, o.description, `${at}/description`, 75);
}

/** The object's type when it is an object of a known type; null (and a problem) otherwise. */
function typed(p: Problems, v: unknown, at: string, known: Set<string>, what: string): [Obj, string] | null {
  if (!isObj(v)) {
    p.add(at, `must be ${what} object`);
    return null;
  }
  const type = String(v.type);
  if (!known.has(type)) {
    p.add(`${at}/type`, `unknown ${what} type ${type}`);
    return null;
  }
  return [v, type];
}

function element(p: Problems, v: unknown, at: string): void {
  const found = typed(p, v, at, ELEMENT_TYPES, 'element');
  if (!found) return;
  const [e, type] = found;
  if (type !== 'image') maxLength(p, e.action_id, `${at}/action_id`, 255);
  if (e.placeholder !== undefined) text(p, e.placeholder, `${at}/placeholder`, 150, true);
  if (type === 'button') {
    text(p, e.text, `${at}/text`, 75, true);
    maxLength(p, e.value, `${at}/value`, 2000);
    if (e.style !== undefined && e.style !== 'primary' && e.style !== 'danger')
      p.add(`${at}/style`, 'must be primary or danger');
  }
  if (type === 'static_select' || type === 'multi_static_select') {
    const options = e.options;
    if (!Array.isArray(options) || options.length === 0 || options.length > 100)
      p.add(`${at}/options`, 'must hold 1 to 100 options');
    else for (const [i, o] of options.entries()) option(p, o, `${at}/options/${i}`);
    if (e.initial_option !== undefined) {
      const initial = JSON.stringify(e.initial_option);
      if (!Array.isArray(options) || !options.some((o) => JSON.stringify(o) === initial))
        p.add(`${at}/initial_option`, 'must be one of the options');
    }
  }
}

function block(p: Problems, v: unknown, at: string): void {
  const found = typed(p, v, at, BLOCK_TYPES, 'block');
  if (!found) return;
  const [b, type] = found;
  maxLength(p, b.block_id, `${at}/block_id`, 255);
  switch (type) {
    case 'section': {
      if (b.text === undefined && b.fields === undefined) p.add(at, 'a section needs text or fields');
      if (b.text !== undefined) text(p, b.text, `${at}/text`, 3000);
      if (b.fields !== undefined) {
        if (!Array.isArray(b.fields) || b.fields.length === 0 || b.fields.length > 10)
          p.add(`${at}/fields`, 'must hold 1 to 10 text objects');
        else for (const [i, f] of b.fields.entries()) text(p, f, `${at}/fields/${i}`, 2000);
      }
      if (b.accessory !== undefined) element(p, b.accessory, `${at}/accessory`);
      return;
    }
    case 'header':
      text(p, b.text, `${at}/text`, 150, true);
      return;
    case 'context': {
      const els = b.elements;
      if (!Array.isArray(els) || els.length === 0 || els.length > 10) {
        p.add(`${at}/elements`, 'must hold 1 to 10 elements');
        return;
      }
      els.forEach((e, i) => {
        if (isObj(e) && e.type === 'image') return;
        text(p, e, `${at}/elements/${i}`, 3000);
      });
      return;
    }
    case 'actions': {
      const els = b.elements;
      if (!Array.isArray(els) || els.length === 0 || els.length > 25) {
        p.add(`${at}/elements`, 'must hold 1 to 25 elements');
        return;
      }
      for (const [i, e] of els.entries()) element(p, e, `${at}/elements/${i}`);
      return;
    }
    case 'input':
      text(p, b.label, `${at}/label`, 2000, true);
      if (b.hint !== undefined) text(p, b.hint, `${at}/hint`, 2000, true);
      element(p, b.element, `${at}/element`);
      return;
    default:
      return;
  }
}

function blocks(p: Problems, v: unknown, at: string, max: number): void {
  if (!Array.isArray(v)) {
    p.add(at, 'must be an array of blocks');
    return;
  }
  if (v.length > max) p.add(at, `must hold at most ${max} blocks`);
  for (const [i, b] of v.entries()) block(p, b, `${at}/${i}`);
}

/** Problems with a message's `blocks` (already parsed from JSON). */
export function messageBlockProblems(v: unknown): string[] {
  const p = new Problems();
  blocks(p, v, '/blocks', MAX_MESSAGE_BLOCKS);
  return p.list;
}

/** Problems with a modal view for `views.open` / `views.update`. */
export function viewProblems(v: unknown): string[] {
  const p = new Problems();
  if (!isObj(v)) {
    p.add('/view', 'must be a view object');
    return p.list;
  }
  if (v.type !== 'modal' && v.type !== 'home') p.add('/view/type', 'must be modal or home');
  if (v.type === 'modal') text(p, v.title, '/view/title', 24, true);
  if (v.submit !== undefined) text(p, v.submit, '/view/submit', 24, true);
  else if (Array.isArray(v.blocks) && v.blocks.some((b) => isObj(b) && b.type === 'input'))
    p.add('/view/submit', 'is required when the view has an input block');
  if (v.close !== undefined) text(p, v.close, '/view/close', 24, true);
  maxLength(p, v.callback_id, '/view/callback_id', 255);
  maxLength(p, v.private_metadata, '/view/private_metadata', 3000);
  blocks(p, v.blocks, '/view/blocks', MAX_VIEW_BLOCKS);
  return p.list;
}
