import { message } from '../../test/fixtures';
import { mergeMessages } from './messages';

test('merges by seq: ascending, no duplicates', () => {
  const a = [message(1), message(2), message(4)];
  const merged = mergeMessages(a, [message(3), message(2), message(5)]);
  expect(merged.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
});

test('appending the next message keeps the order', () => {
  expect(mergeMessages([message(1)], [message(2)]).map((m) => m.seq)).toEqual([1, 2]);
  expect(mergeMessages([message(2)], [message(1)]).map((m) => m.seq)).toEqual([1, 2]);
});
