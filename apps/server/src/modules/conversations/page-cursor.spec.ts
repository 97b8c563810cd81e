import { decodeCursor, encodeCursor } from './page-cursor.js';

describe('page cursors', () => {
  const id = '6f1c1f0e-8d8b-4c55-9d1e-2f2f7d1f9a01';
  it('round-trip the key exactly, microseconds included', () => {
    expect(decodeCursor(encodeCursor('2026-11-25 18:05:23.123456+00', id))).toEqual({ at: '2026-11-25 18:05:23.123456+00', id });
  });
  it('refuse anything else', () => {
    for (const bad of ['', 'x', Buffer.from('[1,2]').toString('base64url'), Buffer.from('["nope","' + id + '"]').toString('base64url'), Buffer.from('["2026-11-25","x"]').toString('base64url')]) {
      expect(decodeCursor(bad)).toBeNull();
    }
  });
});
