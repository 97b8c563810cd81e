import { createStayRequestSchema, joinRequestSchema, listConversationsQuerySchema, updateConversationRequestSchema } from './index.js';
import { formatIssues } from '../errors.js';

describe('HTTP schemas', () => {
  it('refuses unknown fields in bodies', () => {
    const r = joinRequestSchema.safeParse({ code: 'ABCD-EFGH', extra: 1 });
    expect(r.success).toBe(false);
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
  it('allows clearing the assignee', () => {
    expect(updateConversationRequestSchema.parse({ assigneeId: null })).toEqual({ assigneeId: null });
  });
});
