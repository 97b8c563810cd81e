import {
  conversationPageSchema,
  createStaffRequestSchema,
  loginRequestSchema,
  updateStaffRequestSchema,
  historyQuerySchema,
  createStayRequestSchema,
  joinRequestSchema,
  listConversationsQuerySchema,
  searchQuerySchema,
  staffDirectorySchema,
  stayListSchema,
  updateConversationRequestSchema,
} from './index.js';
import { staySchema } from '../models/stay.js';
import { formatIssues } from '../errors.js';

describe('HTTP schemas', () => {
  it('refuses unknown fields in bodies', () => {
    const r = joinRequestSchema.safeParse({ code: 'ABCD-EFGH', extra: 1 });
    expect(r.success).toBe(false);
  });
  it('names the fields of the join form the body is in', () => {
    const issues = (body: unknown) => {
      const r = joinRequestSchema.safeParse(body);
      return r.success ? [] : formatIssues(r.error);
    };
    expect(issues({ roomNumber: '', familyName: 'Lee' })).toEqual([expect.stringMatching(/^roomNumber: /)]);
    expect(issues({ roomNumber: '101' })).toEqual([expect.stringMatching(/^familyName: /)]);
    expect(issues({ code: 7 })).toEqual([expect.stringMatching(/^code: /)]);
    // Neither form: no form to speak of. Both: the field too many.
    expect(issues({})).toEqual(['(root): Invalid input']);
    expect(issues({ code: 'ABCD-EFGH', roomNumber: '101' })).toEqual(['(root): Unrecognized key: "roomNumber"']);
  });
  it('accepts either join form', () => {
    expect(joinRequestSchema.safeParse({ code: 'abcd-efgh' }).success).toBe(true);
    expect(joinRequestSchema.safeParse({ roomNumber: '101', familyName: 'Müller' }).success).toBe(true);
  });
  it('refuses checkIn after checkOut with a field path', () => {
    const r = createStayRequestSchema.safeParse({ guestName: 'Ann', familyName: 'Lee', roomNumber: '101', checkIn: '2026-11-27', checkOut: '2026-11-26' });
    expect(r.success).toBe(false);
    if (!r.success) expect(formatIssues(r.error)).toEqual(['checkIn: must not be after checkOut']);
  });
  it('refuses a room number over 10 characters', () => {
    expect(createStayRequestSchema.safeParse({ guestName: 'A', familyName: 'B', roomNumber: '12345678901', checkOut: '2026-11-26' }).success).toBe(false);
  });
  it('coerces and bounds page limits', () => {
    expect(listConversationsQuerySchema.parse({ limit: '10' })).toMatchObject({ limit: 10, status: 'open' });
    expect(listConversationsQuerySchema.safeParse({ limit: '101' }).success).toBe(false);
  });
  it('takes an empty query parameter as not given', () => {
    expect(listConversationsQuerySchema.parse({ status: '', cursor: '', limit: '' })).toEqual({ status: 'open', limit: 50 });
    expect(searchQuerySchema.parse({ q: 'towel', cursor: '' })).toEqual({ q: 'towel', limit: 20 });
    expect(historyQuerySchema.parse({ before: '', limit: '10' })).toEqual({ limit: 10 });
  });
  it('bounds before by the largest seq', () => {
    expect(historyQuerySchema.parse({ before: '2147483647' })).toEqual({ before: 2_147_483_647, limit: 50 });
    const r = historyQuerySchema.safeParse({ before: '3000000000' });
    expect(r.success).toBe(false);
    if (!r.success) expect(formatIssues(r.error)[0]).toMatch(/^before: /);
  });
  it('refuses control characters in one-line text, after trimming the ends', () => {
    const stay = { guestName: 'Ann', familyName: 'Lee', roomNumber: '101', checkOut: '2026-11-26' };
    const issues = (r: { success: boolean; error?: Parameters<typeof formatIssues>[0] }) => (r.success ? [] : formatIssues(r.error!));
    expect(issues(createStayRequestSchema.safeParse({ ...stay, guestName: 'A\u0000B' }))).toEqual(['guestName: contains a control character']);
    expect(issues(createStayRequestSchema.safeParse({ ...stay, familyName: 'Lee\u0085' }))).toEqual(['familyName: contains a control character']);
    expect(issues(createStayRequestSchema.safeParse({ ...stay, roomNumber: '1\t01' }))).toEqual(['roomNumber: contains a control character']);
    expect(createStayRequestSchema.parse({ ...stay, guestName: ' Ann\n', roomNumber: '\t101 ' })).toMatchObject({ guestName: 'Ann', roomNumber: '101' });
    expect(issues(joinRequestSchema.safeParse({ roomNumber: '1\u0000', familyName: 'Lee' }))).toEqual(['roomNumber: contains a control character']);
    expect(issues(joinRequestSchema.safeParse({ code: 'ABCD\u0000EFGH' }))).toEqual(['code: contains a control character']);
    expect(issues(loginRequestSchema.safeParse({ username: 'ad\u0000min', password: 'x' }))).toEqual(['username: contains a control character']);
    // Any character may be part of a password: it is only ever hashed.
    expect(loginRequestSchema.safeParse({ username: 'admin', password: 'a\u0000b' }).success).toBe(true);
    expect(createStaffRequestSchema.safeParse({ username: 'ann', displayName: 'Ann\u007f', role: 'agent', password: 'long enough' }).success).toBe(false);
    expect(updateStaffRequestSchema.safeParse({ displayName: 'Ann\u0001' }).success).toBe(false);
    expect(issues(searchQuerySchema.safeParse({ q: 'ab\u0000cd' }))).toEqual(['q: contains a control character']);
  });
  it('allows clearing the assignee', () => {
    expect(updateConversationRequestSchema.parse({ assigneeId: null })).toEqual({ assigneeId: null });
  });

  describe('compatible additions', () => {
    const stay = {
      id: '7d0c3b9e-8f4a-4c1e-9a51-0b6f2f1e6a10',
      guestName: 'Ada',
      familyName: 'Lovelace',
      roomNumber: '101',
      checkIn: '2026-11-25',
      checkOut: '2026-11-27',
      status: 'active',
      conversationId: '1b7c0f5e-2a3d-4c8e-9f01-23456789abcd',
    };
    it('lists stays with or without their join code and link', () => {
      const withCard = { ...stay, joinCode: 'ABCD-EFGH', joinUrl: 'https://hotel.example/join/ABCD-EFGH' };
      expect(stayListSchema.parse({ items: [withCard, { ...stay, status: 'checked_out' }] }).items).toEqual([withCard, { ...stay, status: 'checked_out' }]);
    });
    it('keeps an older reader of Stay working: the new fields are dropped', () => {
      expect(staySchema.parse({ ...stay, joinCode: 'ABCD-EFGH', joinUrl: 'https://hotel.example/join/ABCD-EFGH' })).toEqual(stay);
    });
    it('carries the family name and the guest read position in a conversation summary, both optional', () => {
      const summary = {
        id: stay.conversationId,
        stay: { id: stay.id, roomNumber: '101', guestName: 'Ada', checkOut: '2026-11-27', status: 'active' },
        status: 'open',
        assigneeId: null,
        lastSeq: 3,
        lastMessage: null,
        unread: 0,
        updatedAt: '2026-11-25T18:05:23.000Z',
      };
      const full = { ...summary, stay: { ...summary.stay, familyName: 'Lovelace' }, guestReadSeq: 2 };
      expect(conversationPageSchema.parse({ items: [full, summary], nextCursor: null }).items).toEqual([full, summary]);
      expect(conversationPageSchema.safeParse({ items: [{ ...summary, guestReadSeq: 1.5 }], nextCursor: null }).success).toBe(false);
    });
    it('describes the staff directory', () => {
      const entry = { id: stay.id, displayName: 'Front Desk', role: 'agent' };
      expect(staffDirectorySchema.parse({ items: [entry] })).toEqual({ items: [entry] });
      expect(staffDirectorySchema.safeParse({ items: [{ ...entry, role: 'guest' }] }).success).toBe(false);
    });
  });
});
