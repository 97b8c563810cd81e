import { sharedBuffersMb } from './embedded-postgres.js';

describe('sharedBuffersMb', () => {
  const GiB = 2 ** 30;

  it('takes an eighth of the memory', () => {
    expect(sharedBuffersMb(2 * GiB)).toBe(256);
    expect(sharedBuffersMb(4 * GiB)).toBe(512);
  });

  it("never goes below PostgreSQL's default nor above 1 GB", () => {
    expect(sharedBuffersMb(GiB / 2)).toBe(128);
    expect(sharedBuffersMb(24 * GiB)).toBe(1024);
  });
});
