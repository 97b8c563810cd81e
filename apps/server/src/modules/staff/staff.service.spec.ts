import type { StaffDirectoryEntry } from '@bellhop/protocol';
import { compareDirectoryEntries } from './staff.service.js';

const entry = (displayName: string, id = '00000000-0000-4000-8000-000000000001'): StaffDirectoryEntry => ({ id, displayName, role: 'agent' });

describe('staff directory order', () => {
  it('sorts by display name as people read it: case, accents and digits aside', () => {
    const names = ['zoë', 'Desk 10', 'Ángel', 'bob', 'Desk 9', 'Amy'];
    expect(names.map((n) => entry(n)).sort(compareDirectoryEntries).map((e) => e.displayName)).toEqual(['Amy', 'Ángel', 'bob', 'Desk 9', 'Desk 10', 'zoë']);
  });

  it('is stable for names that differ only in case, and for namesakes', () => {
    const a = entry('Sam', '00000000-0000-4000-8000-00000000000b');
    const b = entry('Sam', '00000000-0000-4000-8000-00000000000a');
    const c = entry('sam', '00000000-0000-4000-8000-000000000000');
    expect([a, c, b].sort(compareDirectoryEntries)).toEqual([b, a, c]);
    expect([c, b, a].sort(compareDirectoryEntries)).toEqual([b, a, c]);
  });
});
