import { USER_CODE_INPUT_PATTERN } from '@app/contract';
import { byId } from './dom';

/**
 * The device sign-in page (/device, the OAuth device grant's verification_uri). It only shows, from the address or
 * its form, which code to type in the app: it sends nothing, and writes what it was given only as text, never as HTML.
 * `main[data-state]`: `enter` (no code yet), `code` (a valid code), `invalid`.
 */

/** "wdjb mjht" → "WDJB-MJHT"; null when it cannot be a user code (the same rule as the service's, from the contract). */
export function normaliseUserCode(input: string | null): string | null {
  const text = (input ?? '').trim();
  if (!USER_CODE_INPUT_PATTERN.test(text)) return null;
  const letters = text.replace(/[- ]/, '').toUpperCase();
  return `${letters.slice(0, 4)}-${letters.slice(4)}`;
}

function show(main: HTMLElement, given: string | null): void {
  const code = normaliseUserCode(given);
  byId('invalid').hidden = code !== null || !given;
  byId('code-panel').hidden = code === null;
  if (code === null) {
    main.dataset.state = given ? 'invalid' : 'enter';
    return;
  }
  main.dataset.state = 'code';
  byId<HTMLInputElement>('user-code-input').value = code;
  byId('user-code').textContent = code;
  byId('cli-command').textContent = `npm run mobile -- code ${code}`;
  for (const spot of document.querySelectorAll('.code-here')) spot.textContent = code;
  // On a touch screen the person most likely holds the phone that approves: say first what to do on it.
  byId('on-this-phone').hidden = !window.matchMedia('(pointer: coarse)').matches;
}

function start(): void {
  const main = byId('device');
  show(main, new URLSearchParams(window.location.search).get('user_code'));
  byId('code-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const given = byId<HTMLInputElement>('user-code-input').value;
    show(main, given);
    const code = normaliseUserCode(given);
    if (code !== null) window.history.replaceState(null, '', `/device?user_code=${encodeURIComponent(code)}`);
  });
}

if (typeof document !== 'undefined') {
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
}
