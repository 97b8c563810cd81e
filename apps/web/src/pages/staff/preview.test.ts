import { GUEST_ID, STAFF_ID, message } from '../../test/fixtures';
import { previewOf } from './preview';

test("the inbox preview names a colleague's reply, says You for one's own and nothing for the guest's", () => {
  const colleague = { type: 'staff' as const, id: '2f3e4d5c-6b7a-4988-8776-655443322110', name: 'Li Wei' };
  expect(previewOf(message(1, { body: 'Hello?' }), STAFF_ID, 'You')).toBe('Hello?');
  expect(previewOf(message(2, { body: 'On my way', sender: { type: 'staff', id: STAFF_ID, name: 'Reception' } }), STAFF_ID, 'You')).toBe('You: On my way');
  expect(previewOf(message(3, { body: 'Done', sender: colleague }), STAFF_ID, 'You')).toBe('Li Wei: Done');
  expect(previewOf(message(4, { sender: { type: 'guest', id: GUEST_ID, name: 'Ana' } }), STAFF_ID, 'You')).toBe('message 4');
});
