import { guestFullName } from './guestName';

test('a full name is written the way its script writes it', () => {
  expect(guestFullName({ guestName: 'Mei', familyName: 'Zhang' })).toBe('Mei Zhang');
  expect(guestFullName({ guestName: '伟', familyName: '王' })).toBe('王伟');
  expect(guestFullName({ guestName: 'はな', familyName: '山田' })).toBe('山田はな');
  expect(guestFullName({ guestName: '민준', familyName: '김' })).toBe('김민준');
  // Mixed scripts: as entered, given name first.
  expect(guestFullName({ guestName: 'Wei', familyName: '王' })).toBe('Wei 王');
  expect(guestFullName({ guestName: 'Ada' })).toBe('Ada');
});
