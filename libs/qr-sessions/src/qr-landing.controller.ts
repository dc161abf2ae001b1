import { Controller, Get, Header, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { QrSessionIdParams } from './dto/qr-session-id.params';

/**
 * `GET /q/:id`: where a phone's plain camera lands when it reads the QR without the app. Signing in needs the app
 * (it proves who the phone belongs to), so the page says so and offers to open it. It reveals nothing about the session.
 */
@ApiExcludeController()
@Controller('q')
export class QrLandingController {
  @Get(':id')
  @Header('Cache-Control', 'no-store')
  @Header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'")
  @Header('Referrer-Policy', 'no-referrer')
  page(@Param() { id }: QrSessionIdParams, @Res({ passthrough: true }) response: Response): string {
    // Set here rather than by decorator, so that a refused id still answers a JSON error body.
    response.type('html');
    // The id matched /^[A-Za-z0-9_-]{22}$/, so it is safe in HTML and in a URL as it is.
    return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in with your phone</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; margin: 0; display: grid; place-items: center; min-height: 100vh; background: #f5f6f8; color: #1d2330; }
  main { max-width: 26rem; margin: 1.5rem; padding: 2rem; background: #fff; border-radius: 12px; box-shadow: 0 1px 4px rgba(0,0,0,.08); }
  h1 { font-size: 1.4rem; margin-top: 0; }
  a.button { display: inline-block; padding: .75rem 1.25rem; border-radius: 8px; background: #2456d6; color: #fff; text-decoration: none; font-weight: 600; }
  code { font-size: .85rem; color: #555; }
</style>
</head>
<body>
<main>
  <h1>Open the app to sign in</h1>
  <p>This code signs a computer in to your account. Scan it from inside the app, where you are already signed in,
     then check the computer's details and confirm.</p>
  <p><a class="button" href="qrlogin://scan?id=${id}">Open the app</a></p>
  <p>If you did not try to sign in on a computer just now, ignore this page.</p>
  <p><code>Session ${id}</code></p>
</main>
</body>
</html>
`;
  }
}
