import { jest } from '@jest/globals';
import { TextDecoder, TextEncoder } from 'node:util';
import { act, render, screen } from '@testing-library/react';
import { i18n } from '../../app/i18n';

// The router needs these, which jsdom lacks; set them before it loads.
Object.assign(globalThis, { TextEncoder, TextDecoder });
const { MemoryRouter, Route, Routes } = await import('react-router');
const { JoinLinkPage } = await import('./JoinLinkPage');

const realFetch = globalThis.fetch;
let joins = 0;
beforeEach(async () => {
  await act(() => i18n.changeLanguage('en'));
  joins = 0;
  globalThis.fetch = jest.fn(async (input: RequestInfo | URL) => {
    if (String(input).includes('/api/guest/join')) joins++;
    const body = { statusCode: 401, error: 'Unauthorized', message: 'unknown or expired join code' };
    return { ok: false, status: 401, statusText: '', headers: new Headers(), json: async () => body } as Response;
  }) as typeof fetch;
});
afterEach(async () => {
  globalThis.fetch = realFetch;
  await act(() => i18n.changeLanguage('en'));
});

test('a failed join link says so in the language chosen, without joining again (failures count towards a lock-out)', async () => {
  render(
    <MemoryRouter initialEntries={['/join/ABCD-EFGH']}>
      <Routes>
        <Route path="/join/:code" element={<JoinLinkPage />} />
      </Routes>
    </MemoryRouter>,
  );
  expect(await screen.findByText('This link is no longer valid. It may belong to a stay that has ended.')).toBeInTheDocument();
  expect(joins).toBe(1);
  await act(() => i18n.changeLanguage('zh'));
  expect(await screen.findByText('此链接已失效，可能对应的入住已结束。')).toBeInTheDocument();
  expect(joins).toBe(1);
});
