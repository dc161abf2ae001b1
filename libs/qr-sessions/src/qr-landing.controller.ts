import { Controller, Get, Header, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import accepts from 'accepts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, PUBLIC_ID_PATTERN } from '@app/common';

const PAGE_STYLE = `
  *, *::before, *::after { box-sizing: border-box; }
  body { font: 16px/1.5 system-ui, sans-serif; margin: 0; display: grid; place-items: center; min-height: 100vh; background: #f5f6f8; color: #1d2330; }
  main { width: min(28rem, 100% - 1.5rem); margin: .75rem 0; padding: 1.5rem; background: #fff; border-radius: 12px; box-shadow: 0 1px 4px rgba(0,0,0,.08); }
  h1 { font-size: 1.35rem; line-height: 1.25; margin-top: 0; }
  ol { padding-left: 1.25rem; }
  li { margin-bottom: .35rem; }
  .quiet { color: #475467; font-size: .95rem; }`;

/** A whole page: the same frame for the landing page and for a link that is not a sign-in code. */
function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · QR login</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<style>${PAGE_STYLE}
</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

// Static text only: nothing from the request is ever written into these pages.
const LANDING_PAGE = page(
  'Scan this code with the app',
  `  <h1>Scan this code with the QR login app</h1>
  <p>You opened a sign-in code with your phone's camera. The camera cannot sign you in: the code is meant for the
     QR login app, where you are already signed in.</p>
  <ol>
    <li>Open the QR login app on this phone.</li>
    <li>Tap <strong>Scan</strong> and point the phone at the code on the computer's screen.</li>
    <li>Check that the computer the app shows is the one in front of you, then tap <strong>Confirm</strong>.</li>
  </ol>
  <p class="quiet">No app on this phone? Ask whoever runs this sign-in service where to get it, or sign in on the
     computer another way.</p>
  <p class="quiet">Not trying to sign in on a computer right now? Close this page: nothing happens.</p>`,
);

const NOT_A_CODE_PAGE = page(
  'Not a sign-in code',
  `  <h1>This link is not a sign-in code</h1>
  <p>The address is incomplete or damaged, so it cannot sign anything in.</p>
  <p>To sign in on a computer, open the QR login app on your phone, tap <strong>Scan</strong> and point the phone at
     the code on the computer's screen.</p>`,
);

/**
 * `GET /q/:id`: where a phone's plain camera lands when it reads the QR without the app. Signing in needs the app
 * (it proves who the phone belongs to), so the page says what to do instead. It reveals nothing about the session,
 * not even whether it exists. A malformed id answers a page too for a browser; an API client asking for JSON gets the
 * contract's `validation_failed` body.
 */
@ApiExcludeController()
@Controller('q')
export class QrLandingController {
  @Get(':id')
  @Header('Cache-Control', 'no-store')
  @Header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'; form-action 'none'")
  @Header('Referrer-Policy', 'no-referrer')
  page(@Param('id') id: string, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): string {
    const wellFormed = PUBLIC_ID_PATTERN.test(id);
    // With no Accept header (scripts, supertest) `accepts` picks the first type: JSON, the API's answer.
    if (!wellFormed && accepts(request.raw).type(['json', 'html']) !== 'html') {
      throw new DomainError('validation_failed', 'id must be a QR session id (22 characters of A-Z a-z 0-9 _ -)');
    }
    reply.type('text/html; charset=utf-8');
    if (!wellFormed) reply.status(400);
    return wellFormed ? LANDING_PAGE : NOT_A_CODE_PAGE;
  }
}
