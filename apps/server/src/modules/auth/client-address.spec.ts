import { clientAddress } from './client-address.js';

describe('clientAddress', () => {
  it('uses the socket peer when the proxy is not trusted, whatever the header says', () => {
    expect(clientAddress('10.0.0.5', '1.2.3.4', false)).toBe('10.0.0.5');
  });

  it('uses the first X-Forwarded-For hop behind a trusted proxy', () => {
    expect(clientAddress('10.0.0.5', ' 1.2.3.4 , 10.0.0.1', true)).toBe('1.2.3.4');
    expect(clientAddress('10.0.0.5', ['1.2.3.4, 5.6.7.8', '9.9.9.9'], true)).toBe('1.2.3.4');
  });

  it('falls back to the peer when a trusted proxy sends no header', () => {
    expect(clientAddress('10.0.0.5', undefined, true)).toBe('10.0.0.5');
    expect(clientAddress('10.0.0.5', '', true)).toBe('10.0.0.5');
  });

  it('treats IPv4-mapped IPv6 peers as IPv4', () => {
    expect(clientAddress('::ffff:127.0.0.1', undefined, false)).toBe('127.0.0.1');
    expect(clientAddress('::1', undefined, false)).toBe('::1');
  });
});
