import { act, fireEvent, render, screen } from '@testing-library/react';
import { i18n } from '../../app/i18n';
import { StaffLoginPage } from './StaffLoginPage';

beforeEach(async () => {
  await act(() => i18n.changeLanguage('en'));
});
afterAll(async () => {
  await act(() => i18n.changeLanguage('en'));
});

test('a form error on screen is re-worded when the language changes', async () => {
  render(<StaffLoginPage onSignedIn={() => undefined} />);
  fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
  expect(screen.getByRole('alert')).toHaveTextContent('Enter your username and password.');
  await act(() => i18n.changeLanguage('zh'));
  expect(screen.getByRole('alert')).toHaveTextContent('请输入用户名和密码。');
});

test('the notice of an ended session follows the language too', async () => {
  render(<StaffLoginPage onSignedIn={() => undefined} notice={(t) => t('staff.sessionEnded')} />);
  expect(screen.getByRole('status')).toHaveTextContent('Your session has ended. Please sign in again.');
  await act(() => i18n.changeLanguage('zh'));
  expect(screen.getByRole('status')).toHaveTextContent('您的会话已结束，请重新登录。');
});
