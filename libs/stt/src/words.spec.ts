import { spreadWords } from './words';

it('spreadWords splits text evenly over the interval', () => {
  expect(spreadWords(' one  two three ', 100, 400)).toEqual([
    { word: 'one', startMs: 100, endMs: 200 },
    { word: 'two', startMs: 200, endMs: 300 },
    { word: 'three', startMs: 300, endMs: 400 },
  ]);
  expect(spreadWords('', 0, 10)).toEqual([]);
});
