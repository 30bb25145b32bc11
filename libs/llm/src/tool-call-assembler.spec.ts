import { ToolCallAssembler } from './tool-call-assembler';

describe('ToolCallAssembler', () => {
  it('joins argument fragments per index and returns calls in index order', () => {
    const a = new ToolCallAssembler();
    a.push([{ index: 1, id: 'call_b', function: { name: 'two', arguments: '' } }]);
    a.push([{ index: 0, id: 'call_a', function: { name: 'one', arguments: '{"a"' } }]);
    a.push([{ index: 1, function: { arguments: '{"b":' } }, { index: 0, function: { arguments: ':1}' } }]);
    a.push([{ index: 1, id: 'call_b', function: { arguments: '2}' } }]);
    expect(a.size).toBe(2);
    expect(a.take()).toEqual([
      { id: 'call_a', name: 'one', arguments: '{"a":1}' },
      { id: 'call_b', name: 'two', arguments: '{"b":2}' },
    ]);
    expect(a.size).toBe(0);
  });

  it('accepts a whole call in one fragment, and invents an id when none came', () => {
    const a = new ToolCallAssembler();
    a.push(undefined);
    a.push([{ index: 0, function: { name: 'hang_up', arguments: '{}' } }]);
    expect(a.take()).toEqual([{ id: 'call_0', name: 'hang_up', arguments: '{}' }]);
  });
});
