import { LlmError } from '../llm-error';
import { itemForms } from './catalogue';
import { BUILT_IN_VARIABLES, CONDITIONS, SLOT_TYPES, type CatalogueItem, type DialogScript } from './script-types';
import { templateVariables } from './template';

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';
const isInt = (v: unknown, min: number, max: number): v is number => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
const ID = /^[A-Za-z][A-Za-z0-9_-]*$/;
const VAR = /^[A-Za-z][A-Za-z0-9_]*$/;
// Expected phrases feed a speech grammar (JSGF): plain lower-case dictionary words, numbers spelled out.
const PHRASE_WORD = /^(?:[a-z]+(?:'[a-z]+)?|\{[A-Za-z][A-Za-z0-9_]*\})$/;
const DTMF_KEYS = /^[0-9*#A-D]+$/;
const ACTIONS = ['addItems', 'setItems', 'removeItems', 'clearOrder', 'set'];

/** Collects every problem of a script (paths like `states.order.expect[1].goto`), so one error lists them all. */
class Checker {
  readonly problems: string[] = [];
  readonly templates: { path: string; text: string; isPrompt: boolean }[] = [];
  readonly slotNames = new Set<string>();
  readonly setVars = new Set<string>();
  readonly gotos: { path: string; target: unknown }[] = [];

  fail(path: string, what: string): void {
    this.problems.push(`${path}: ${what}`);
  }

  template(path: string, v: unknown, isPrompt = false): void {
    if (!isStr(v)) this.fail(path, 'must be a non-empty string');
    else this.templates.push({ path, text: v, isPrompt });
  }

  templates1(path: string, v: unknown): void {
    if (Array.isArray(v) && v.length > 0) v.forEach((t, i) => this.template(`${path}[${i}]`, t));
    else this.template(path, v);
  }

  phrases(path: string, v: unknown, slots: Rec | undefined): void {
    if (!Array.isArray(v)) return this.fail(path, 'must be an array of phrases');
    v.forEach((p, i) => {
      const at = `${path}[${i}]`;
      if (!isStr(p)) return this.fail(at, 'must be a non-empty string');
      const words = p.trim().split(/\s+/);
      const bad = words.find((w) => !PHRASE_WORD.test(w));
      if (bad !== undefined) this.fail(at, `"${p}" must be lower-case words, numbers spelled out (found "${bad}")`);
      for (const w of words) {
        const hole = /^\{(.+)\}$/.exec(w)?.[1];
        if (hole !== undefined && !(slots && hole in slots)) this.fail(at, `uses {${hole}}, which is not a slot of this intent`);
      }
    });
  }
}

function checkSlot(c: Checker, path: string, s: unknown, hasCatalogue: boolean): void {
  if (!isRec(s)) return c.fail(path, 'must be an object');
  if (!SLOT_TYPES.includes(s['type'] as never)) return c.fail(`${path}.type`, `must be one of ${SLOT_TYPES.join(', ')}`);
  if (s['optional'] !== undefined && typeof s['optional'] !== 'boolean') c.fail(`${path}.optional`, 'must be a boolean');
  if ((s['type'] === 'item' || s['type'] === 'items') && !hasCatalogue) c.fail(path, `a ${s['type']} slot needs a catalogue`);
  if (s['type'] === 'number' || s['type'] === 'items') {
    const min = s['min'] ?? 1;
    const max = s['max'] ?? 20;
    if (!isInt(min, 0, 99) || !isInt(max, 1, 99) || min > max) c.fail(path, 'min and max must be integers with 0 ≤ min ≤ max ≤ 99');
  }
  if (s['type'] === 'choice') {
    const values = s['values'];
    if (!isRec(values) || Object.keys(values).length === 0) return c.fail(`${path}.values`, 'must map each value to its phrases');
    for (const [k, ps] of Object.entries(values)) c.phrases(`${path}.values.${k}`, ps, undefined);
  }
  if (s['type'] === 'name') c.phrases(`${path}.examples`, s['examples'], undefined);
}

function checkBranch(c: Checker, path: string, b: Rec, slots: Rec | undefined): void {
  // A phone agent that answers with silence sounds broken: every branch speaks or moves to a state that does.
  if (b['say'] === undefined && b['goto'] === undefined) c.fail(path, 'needs say or goto');
  if (b['say'] !== undefined) c.template(`${path}.say`, b['say']);
  if (b['goto'] !== undefined) c.gotos.push({ path: `${path}.goto`, target: b['goto'] });
  if (b['do'] === undefined) return;
  if (!Array.isArray(b['do'])) return c.fail(`${path}.do`, 'must be an array of actions');
  b['do'].forEach((a: unknown, i) => {
    const at = `${path}.do[${i}]`;
    if (!isRec(a) || !ACTIONS.includes(a['do'] as string)) return c.fail(at, `must be an action: ${ACTIONS.join(', ')}`);
    if (a['do'] === 'clearOrder') return;
    if (a['do'] === 'set') {
      if (!isStr(a['var']) || !VAR.test(a['var'])) c.fail(`${at}.var`, 'must be a variable name');
      else if ((BUILT_IN_VARIABLES as readonly string[]).includes(a['var'])) c.fail(`${at}.var`, 'clashes with a built-in variable');
      else c.setVars.add(a['var']);
      if ((a['slot'] === undefined) === (a['value'] === undefined)) c.fail(at, 'needs exactly one of slot, value');
      if (a['value'] !== undefined && typeof a['value'] !== 'string') c.fail(`${at}.value`, 'must be a string');
      if (a['slot'] !== undefined && !(slots && typeof a['slot'] === 'string' && a['slot'] in slots)) c.fail(`${at}.slot`, 'must name a slot of this intent');
      return;
    }
    const slot = typeof a['slot'] === 'string' && slots ? slots[a['slot']] : undefined;
    const type = isRec(slot) ? slot['type'] : undefined;
    if (type !== 'items' && type !== 'item') c.fail(`${at}.slot`, `${String(a['do'])} needs an item or items slot of this intent`);
  });
}

function checkIntent(c: Checker, path: string, v: unknown, hasCatalogue: boolean, ids: Set<string>): void {
  if (!isRec(v)) return c.fail(path, 'must be an object');
  if (!isStr(v['id']) || !ID.test(v['id'])) c.fail(`${path}.id`, 'must be an identifier');
  else if (ids.has(v['id'])) c.fail(`${path}.id`, `duplicate intent id "${v['id']}"`);
  else ids.add(v['id']);
  const slots = v['slots'];
  if (slots !== undefined && !isRec(slots)) c.fail(`${path}.slots`, 'must be an object');
  const slotRec = isRec(slots) ? slots : undefined;
  for (const [name, s] of Object.entries(slotRec ?? {})) {
    if (!VAR.test(name)) c.fail(`${path}.slots.${name}`, 'slot names must be identifiers');
    if ((BUILT_IN_VARIABLES as readonly string[]).includes(name)) c.fail(`${path}.slots.${name}`, 'clashes with a built-in variable');
    c.slotNames.add(name);
    checkSlot(c, `${path}.slots.${name}`, s, hasCatalogue);
  }
  if (v['examples'] === undefined && v['keywords'] === undefined) c.fail(path, 'needs examples or keywords');
  if (v['examples'] !== undefined) c.phrases(`${path}.examples`, v['examples'], slotRec);
  if (v['keywords'] !== undefined) {
    const kws = Array.isArray(v['keywords']) ? v['keywords'] : undefined;
    c.phrases(`${path}.keywords`, kws?.filter((k) => k !== '@yes' && k !== '@no') ?? v['keywords'], undefined);
    if (kws?.some((k) => typeof k === 'string' && k.includes('{'))) c.fail(`${path}.keywords`, 'keywords cannot have slots');
  }
  if (v['when'] !== undefined && !CONDITIONS.includes(v['when'] as never)) c.fail(`${path}.when`, `must be one of ${CONDITIONS.join(', ')}`);
  checkBranch(c, path, v, slotRec);
  if (v['otherwise'] !== undefined) {
    if (v['when'] === undefined) c.fail(`${path}.otherwise`, 'needs a when');
    if (isRec(v['otherwise'])) checkBranch(c, `${path}.otherwise`, v['otherwise'], slotRec);
    else c.fail(`${path}.otherwise`, 'must be an object');
  }
}

function checkDtmf(c: Checker, path: string, v: unknown): void {
  if (!isRec(v)) return c.fail(path, 'must map keys to phrases');
  for (const [k, p] of Object.entries(v)) {
    if (!DTMF_KEYS.test(k)) c.fail(`${path}.${k}`, 'keys must be 0-9 * # A-D');
    if (!isStr(p)) c.fail(`${path}.${k}`, 'must be a phrase');
  }
}

function checkCatalogue(c: Checker, v: unknown): void {
  if (!Array.isArray(v) || v.length === 0) return c.fail('catalogue', 'must be a non-empty array');
  const ids = new Set<string>();
  const forms = new Map<string, string>();
  v.forEach((it: unknown, i) => {
    const at = `catalogue[${i}]`;
    if (!isRec(it)) return c.fail(at, 'must be an object');
    if (!isStr(it['id'])) c.fail(`${at}.id`, 'must be a non-empty string');
    else if (ids.has(it['id'])) c.fail(`${at}.id`, `duplicate item id "${it['id']}"`);
    else ids.add(it['id']);
    if (!isInt(it['priceCents'], 0, 100_000_000)) c.fail(`${at}.priceCents`, 'must be a whole number of cents ≥ 0');
    if (!isStr(it['name'])) return c.fail(`${at}.name`, 'must be a non-empty string');
    if (it['aliases'] !== undefined && !Array.isArray(it['aliases'])) return c.fail(`${at}.aliases`, 'must be an array');
    const names = [it['name'], it['plural'], it['phrasePlural'], ...((it['aliases'] as unknown[] | undefined) ?? [])];
    const before = c.problems.length;
    c.phrases(`${at} names`, names.filter((n) => n !== undefined), undefined);
    if (c.problems.length > before) return;
    for (const f of itemForms(it as unknown as CatalogueItem)) {
      const other = forms.get(f);
      if (other !== undefined && other !== it['id']) c.fail(at, `"${f}" also names item "${other}"`);
      forms.set(f, String(it['id']));
    }
  });
}

function checkState(c: Checker, id: string, v: unknown, hasCatalogue: boolean): void {
  const path = `states.${id}`;
  if (!ID.test(id)) c.fail(path, 'state ids must be identifiers');
  if (!isRec(v)) return c.fail(path, 'must be an object');
  c.template(`${path}.prompt`, v['prompt'], true);
  if (v['final'] !== undefined && typeof v['final'] !== 'boolean') c.fail(`${path}.final`, 'must be a boolean');
  if (v['expect'] !== undefined && !Array.isArray(v['expect'])) c.fail(`${path}.expect`, 'must be an array');
  const expect = Array.isArray(v['expect']) ? v['expect'] : [];
  if (v['final'] === true && expect.length > 0) c.fail(`${path}.expect`, 'a final state expects nothing');
  if (v['final'] !== true && expect.length === 0) c.fail(`${path}.expect`, 'a state that is not final must expect something');
  const ids = new Set<string>();
  expect.forEach((it, i) => checkIntent(c, `${path}.expect[${i}]`, it, hasCatalogue, ids));
  if (v['reprompt'] !== undefined) c.templates1(`${path}.reprompt`, v['reprompt']);
  if (v['maxReprompts'] !== undefined && !isInt(v['maxReprompts'], 0, 10)) c.fail(`${path}.maxReprompts`, 'must be an integer 0-10');
  if (v['fallback'] !== undefined) {
    if (isRec(v['fallback'])) checkBranch(c, `${path}.fallback`, v['fallback'], undefined);
    else c.fail(`${path}.fallback`, 'must be an object');
  }
  if (v['dtmf'] !== undefined) checkDtmf(c, `${path}.dtmf`, v['dtmf']);
  const r = v['redirect'];
  if (r !== undefined) {
    if (!isRec(r)) return c.fail(`${path}.redirect`, 'must be an object');
    if (!CONDITIONS.includes(r['when'] as never) || r['when'] === 'itemsInOrder') c.fail(`${path}.redirect.when`, 'must be orderEmpty or orderNotEmpty');
    if (r['say'] !== undefined) c.template(`${path}.redirect.say`, r['say']);
    c.gotos.push({ path: `${path}.redirect.goto`, target: r['goto'] });
  }
}

/** Every problem of `v` as a dialog script; empty when it is valid. */
export function checkScript(v: unknown): string[] {
  const c = new Checker();
  if (!isRec(v)) return ['script: must be an object'];
  if (!isStr(v['name'])) c.fail('name', 'must be a non-empty string');
  const states = isRec(v['states']) ? v['states'] : undefined;
  if (!states || Object.keys(states).length === 0) return [...c.problems, 'states: must be a non-empty object'];
  if (!isStr(v['start']) || !(v['start'] in states)) c.fail('start', 'must name a state');
  const hasCatalogue = v['catalogue'] !== undefined;
  if (hasCatalogue) checkCatalogue(c, v['catalogue']);
  if (v['greeting'] !== undefined) c.template('greeting', v['greeting']);
  if (v['variables'] !== undefined && (!isRec(v['variables']) || Object.values(v['variables']).some((x) => typeof x !== 'string'))) {
    c.fail('variables', 'must map names to strings');
  }
  if (v['maxReprompts'] !== undefined && !isInt(v['maxReprompts'], 0, 10)) c.fail('maxReprompts', 'must be an integer 0-10');
  if (v['phraseMaxQuantity'] !== undefined && !isInt(v['phraseMaxQuantity'], 1, 99)) c.fail('phraseMaxQuantity', 'must be an integer 1-99');
  if (v['reprompt'] !== undefined) c.templates1('reprompt', v['reprompt']);
  if (v['fallback'] !== undefined) {
    if (isRec(v['fallback'])) checkBranch(c, 'fallback', v['fallback'], undefined);
    else c.fail('fallback', 'must be an object');
  }
  if (v['dtmf'] !== undefined) checkDtmf(c, 'dtmf', v['dtmf']);
  if (v['globalIntents'] !== undefined && !Array.isArray(v['globalIntents'])) c.fail('globalIntents', 'must be an array');
  const globalIds = new Set<string>();
  (Array.isArray(v['globalIntents']) ? v['globalIntents'] : []).forEach((it, i) => checkIntent(c, `globalIntents[${i}]`, it, hasCatalogue, globalIds));
  for (const [id, s] of Object.entries(states)) checkState(c, id, s, hasCatalogue);

  for (const g of c.gotos) if (typeof g.target !== 'string' || !(g.target in states)) c.fail(g.path, `"${String(g.target)}" is not a state`);
  const known = new Set<string>([...BUILT_IN_VARIABLES, 'agentName', 'companyName', ...c.slotNames, ...c.setVars,
    ...Object.keys(isRec(v['variables']) ? v['variables'] : {})]);
  for (const t of c.templates) {
    for (const name of templateVariables(t.text)) {
      if (!known.has(name)) c.fail(t.path, `unknown variable {${name}}`);
      else if (t.isPrompt && name === 'prompt') c.fail(t.path, 'a prompt cannot contain {prompt}');
    }
  }
  checkRedirectCycles(c, states);
  return c.problems;
}

function checkRedirectCycles(c: Checker, states: Rec): void {
  const next = (id: string): string | undefined => {
    const s = states[id];
    const r = isRec(s) ? s['redirect'] : undefined;
    return isRec(r) && typeof r['goto'] === 'string' ? r['goto'] : undefined;
  };
  for (const id of Object.keys(states)) {
    const seen = new Set<string>([id]);
    for (let at = next(id); at !== undefined; at = next(at)) {
      if (seen.has(at)) {
        c.fail(`states.${id}.redirect`, 'redirects form a cycle');
        break;
      }
      seen.add(at);
    }
  }
}

export function badScript(problems: readonly string[], provider: string, cause?: unknown): LlmError {
  const shown = problems.slice(0, 8).join('; ');
  const more = problems.length > 8 ? ` (and ${problems.length - 8} more)` : '';
  return new LlmError('LLM_BAD_SCRIPT', `${provider}: invalid dialog script: ${shown}${more}`, { provider, retryable: false, cause });
}

/**
 * Checks a dialog script (an object, or JSON text) and returns a copy of it, typed. Throws `LlmError`
 * `LLM_BAD_SCRIPT` listing every problem found.
 */
export function parseDialogScript(input: unknown, provider = 'scripted'): DialogScript {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input) as unknown;
    } catch (e) {
      throw badScript(['not valid JSON'], provider, e);
    }
  }
  const problems = checkScript(value);
  if (problems.length > 0) throw badScript(problems, provider);
  return structuredClone(value) as DialogScript;
}
