import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChatMessage } from '../types';
import { createScriptedLlm, type ScriptedLlm } from './scripted-llm';
import { parseDialogScript } from './validate-script';

// The second example script is the one printed in the README, so the documentation cannot drift from what runs.
function readmeScript(): string {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Writing a script'));
  const m = /```json\n([\s\S]*?)\n```/.exec(section);
  if (!m) throw new Error('README: no JSON block under "### Writing a script"');
  return m[1] as string;
}

async function streamText(llm: ScriptedLlm, history: readonly ChatMessage[]): Promise<string> {
  let text = '';
  for await (const d of llm.stream(history, { signal: new AbortController().signal })) if (d.type === 'text') text += d.text;
  return text;
}

describe('scripted LLM: the README table-booking script', () => {
  const llm = createScriptedLlm({ script: parseDialogScript(readmeScript()), variables: { companyName: 'Chez Nous' } });
  const user = (...said: string[]): ChatMessage[] => said.map((content) => ({ role: 'user', content }));

  it('books a table: number slot, choice slot with a synonym, yes', async () => {
    expect(await streamText(llm, [])).toBe('Hello, this is Sam at Chez Nous. For how many people would you like a table?');
    expect(await streamText(llm, user('a table for four please'))).toBe('For four. Friday or Saturday?');
    expect(await streamText(llm, user('a table for four please', 'maybe the weekend'))).toBe('A table for four on Saturday. Shall I book it?');
    const s = llm.dialogState(user('a table for four please', 'maybe the weekend', 'yes please'));
    expect(s.reply).toBe('You are booked for Saturday. Goodbye!');
    expect(s).toMatchObject({ state: 'booked', ended: true, variables: { party: 'four', night: 'Saturday' } });
  });

  it('uses the keypad, re-prompts out of range, and starts again on no', () => {
    expect(llm.dialogState(user('we are 20')).reply).toBe('Sorry, how many people? You can say a number from one to twelve.');
    expect(llm.dialogState(user('12 people', 'DTMF: 1')).reply).toBe('A table for twelve on Friday. Shall I book it?');
    expect(llm.dialogState(user('two', 'friday', '[caller pressed keys: 2]')).reply).toBe(
      'Okay, let us start again. For how many people would you like a table?',
    );
  });

  it('expects spelled-out numbers, then the days', () => {
    const size = llm.expectedPhrases([]) ?? [];
    expect(size).toEqual(expect.arrayContaining(['one', 'twelve', 'a table for six', 'three people', 'we are two']));
    expect(size).not.toContain('thirteen');
    expect(llm.expectedPhrases(user('six'))).toEqual(['friday', 'saturday', 'the weekend', 'on friday', 'on saturday', 'on the weekend']);
    expect(llm.expectedPhrases(user('six', 'friday', 'yes'))).toBeUndefined();
  });
});
